/* tracker: the page behaviours every page may use, bound through data attributes so that
   templates carry no inline handlers or scripts (a strict Content-Security-Policy can follow).

   <button type="button" data-print>           prints the page
   <form data-confirm="Delete this file?">     asks before submitting (also on a button)
   <select data-autosubmit>                    submits its form when changed

   Without JavaScript every page still works: print from the browser's menu, forms submit
   without the question, filters have their own submit button. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print], button[data-confirm], a[data-confirm]");
    if (!target) return;
    if (target.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (!window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
})();
