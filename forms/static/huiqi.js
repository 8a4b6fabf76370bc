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
