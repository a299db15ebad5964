// Starts the one timer this page is (set when the app was made, on <body data-timer>); each lives in its own module.
const VIEWS = ['pomodoro', 'countdown', 'stopwatch', 'clock'];
const view = VIEWS.includes(document.body.dataset.timer) ? document.body.dataset.timer : 'pomodoro';
await import(`./${view}.js`);
