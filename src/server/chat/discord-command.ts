/** Slipway's slash command as registered with Discord: `/slipway request:<what you ask>`. */
export const DISCORD_COMMAND = {
  name: 'slipway',
  type: 1 as const,
  description: 'Build and run a webapp, or list, show and delete apps',
  options: [{
    type: 3, // STRING
    name: 'request',
    description: 'a description ("a pomodoro timer with a dark theme"), or list, status <app>, delete <app>, help',
    required: false,
  }],
};
