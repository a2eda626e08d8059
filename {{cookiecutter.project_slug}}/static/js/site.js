// The page behaviour the templates ask for with data- attributes, so that no page needs an
// inline script or event handler: the Content-Security-Policy runs only files from this site.
document.addEventListener("change", (event) => {
  // <select data-submit-on-change>: the language switch sends its form as soon as it changes.
  if (event.target.matches("[data-submit-on-change]")) {
    event.target.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  // <button data-print>: the receipt's print button.
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
