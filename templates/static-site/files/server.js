{{> static-server.js}}
