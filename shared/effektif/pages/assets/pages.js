// The pages mails link to (activation, invitation, password reset). The
// code is in the link's fragment (#code), which browsers never send to a
// server; the page reads it, removes it from the address bar, and posts
// it with the password to the documented Effektif operation. Text is put
// in with textContent only.
'use strict';
(function () {
  const api = '/api/v1';
  const $ = (id) => document.getElementById(id);
  const code = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, '', location.pathname);
  const page = document.body.dataset.page;

  function say(text, kind) {
    const out = $('outcome');
    out.textContent = text;
    out.className = kind || '';
  }

  async function call(method, path, body) {
    const res = await fetch(api + path, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
    });
    let data = {};
    try { data = await res.json(); } catch (e) { /* no JSON body */ }
    if (!res.ok) {
      throw new Error(data.message || ('the server answered ' + res.status));
    }
    return data;
  }

  function passwords() {
    const p = $('password').value;
    if (p !== $('again').value) {
      throw new Error('The two passwords differ.');
    }
    return p;
  }

  function onSubmit(action) {
    $('form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      $('submit').disabled = true;
      say('Working…');
      try {
        say(await action(), 'done');
        $('form').hidden = true;
      } catch (e) {
        say(e.message, 'error');
        $('submit').disabled = false;
      }
    });
  }

  if (!/^[A-Za-z0-9_-]{10,100}$/.test(code)) {
    $('form').hidden = true;
    say('This link is incomplete: open the whole link from the mail.', 'error');
    return;
  }

  if (page === 'activate') {
    call('GET', '/registrations/' + encodeURIComponent(code)).then((reg) => {
      const user = reg.user || {};
      const org = reg.organization || {};
      if (org.name) {
        $('title').textContent = 'Join ' + org.name;
      }
      $('intro').textContent = 'Your account is ' + (user.emailAddress || 'this address') + '. Choose a password to activate it.';
      $('firstName').value = user.firstName || '';
      $('lastName').value = user.lastName || '';
      $('form').hidden = false;
    }).catch((e) => {
      $('intro').textContent = '';
      say('This link does not work any more (' + e.message + '). Ask for a new one.', 'error');
    });
    onSubmit(async () => {
      const login = await call('POST', '/registrations/' + encodeURIComponent(code) + '/activate', {
        password: passwords(), firstName: $('firstName').value, lastName: $('lastName').value,
      });
      const name = (login.user && login.user.emailAddress) || 'you';
      return 'Your account is active: sign in as ' + name + ' with your new password.';
    });
  } else if (page === 'reset') {
    onSubmit(async () => {
      const login = await call('POST', '/users/confirm', { code, password: passwords() });
      const name = (login.user && login.user.emailAddress) || 'you';
      return 'Your password is set: sign in as ' + name + ' with it.';
    });
  }
})();
