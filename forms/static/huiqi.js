// Loaded in <head> of every page (no inline script: the Content-Security-Policy allows only 'self').
// Marks that JavaScript runs, so the stylesheet shows the buttons that need it (.js-only),
// and gives those buttons their action: data-action="print" prints, data-action="back" goes back.
document.documentElement.classList.add('js');
document.addEventListener('click', function (event) {
  var button = event.target.closest ? event.target.closest('[data-action]') : null;
  if (!button) { return; }
  if (button.getAttribute('data-action') === 'print') { window.print(); }
  if (button.getAttribute('data-action') === 'back') { history.back(); }
});

// The guided interview (/) without full reloads. Every step also works as a plain page (a form
// posted, a 303 to the next step's URL); here the same form is posted with fetch and the server
// answers with the interview's part of the page alone (X-Huiqi-Fragment), its URL in
// X-Huiqi-Location for history.pushState, so the back button steps back; links marked data-step
// and the back button fetch /interview/step with the same query. The running result is a live
// region that stays in place: its content is replaced, so screen readers read the new figures;
// focus moves to the new question's heading. Anything unexpected falls back to a normal page load.
(function () {
  if (!window.fetch || !window.history || !window.history.pushState || !window.DOMParser) { return; }
  var FRAGMENT = { 'X-Huiqi-Fragment': '1' };

  function current() { return document.getElementById('interview'); }

  function swap(html, url) {
    var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('interview');
    var root = current();
    if (!fresh || !root) { return false; }
    var running = document.getElementById('running');
    var freshRunning = fresh.querySelector('#running');
    if (running && freshRunning) { running.innerHTML = freshRunning.innerHTML; }
    var stage = document.getElementById('stage');
    stage.parentNode.replaceChild(document.importNode(fresh.querySelector('#stage'), true), stage);
    root.setAttribute('data-title', fresh.getAttribute('data-title') || '');
    if (fresh.getAttribute('data-title')) { document.title = fresh.getAttribute('data-title'); }
    if (url) { history.pushState({ interview: true }, '', url); }
    var heading = document.getElementById('stage-title');
    if (heading) { heading.focus(); }
    window.scrollTo(0, 0);
    return true;
  }

  // Only the step asked for last may be shown: answers can arrive out of order (back, forward,
  // forward in quick succession), and a late answer must not replace a newer step.
  var latest = 0;

  function load(url, init, push, fallback) {
    var ticket = ++latest;
    var root = current();
    if (root) { root.setAttribute('aria-busy', 'true'); }
    fetch(url, init).then(function (response) {
      var next = response.headers.get('X-Huiqi-Location');
      return response.text().then(function (html) {
        if (ticket !== latest) { return; }
        if (!swap(html, push ? next : null)) { fallback(); }
      });
    }).catch(function () {
      if (ticket === latest) { fallback(); }
    }).then(function () {
      var again = current();
      if (again && ticket === latest) { again.removeAttribute('aria-busy'); }
    });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-interview')) { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    var submitter = event.submitter;
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    // getAttribute: form.action would be the buttons named "action"
    load(form.getAttribute('action'), { method: 'POST', body: body, headers: FRAGMENT }, true, function () {
      if (submitter && submitter.name) {  // the plain post, with the button that was pressed
        var input = document.createElement('input');
        input.type = 'hidden'; input.name = submitter.name; input.value = submitter.value;
        form.appendChild(input);
      }
      form.submit();
    });
  });

  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a[data-step]') : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    var target = new URL(link.href, window.location.href);
    load('/interview/step' + target.search, { headers: FRAGMENT }, false, function () { window.location.href = link.href; });
    history.pushState({ interview: true }, '', target.pathname + target.search);
  });

  window.addEventListener('popstate', function () {
    if (!current()) { return; }
    load('/interview/step' + window.location.search, { headers: FRAGMENT }, false, function () {
      window.location.reload();
    });
  });
}());
