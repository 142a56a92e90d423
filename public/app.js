// The built-in page's script. It lives in a file, not inline, so that the content security policy
// can allow scripts from this origin only ('self') and never inline ones.
const state = document.getElementById('state');
const show = (name) => {
  state.dataset.state = name;
  state.textContent = name;
};
const socket = io({ auth: { name: 'web guest' } });
socket.on('welcome', (welcome) => {
  document.getElementById('welcome').textContent = JSON.stringify(welcome, null, 2);
});
socket.on('connect', () => show('connected'));
socket.on('disconnect', () => show('disconnected'));
socket.on('connect_error', (error) => show('refused: ' + error.message));
socket.on('notification', (notification, ack) => {
  const item = document.createElement('li');
  item.textContent = notification.title + ': ' + notification.body;
  document.getElementById('notifications').prepend(item);
  if (ack) ack({ ok: true });
});
