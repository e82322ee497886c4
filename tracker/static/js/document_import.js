/* The document importer's preview: a task and its passage in the document light up together;
   "select all" ticks every task. Bound through data attributes (no inline script), and the
   page works without it: highlights and "in the document" links are plain anchors. */
(function () {
  "use strict";

  var form = document.querySelector("[data-document-import]");
  if (!form) return;

  function activate(key) {
    document.querySelectorAll(".active[data-task]").forEach(function (el) {
      el.classList.remove("active");
    });
    if (!key) return;
    document.querySelectorAll("[data-task='" + key + "']").forEach(function (el) {
      el.classList.add("active");
    });
  }

  form.addEventListener("focusin", function (event) {
    var task = event.target.closest(".task[data-task]");
    if (!task) return;
    activate(task.getAttribute("data-task"));
    var source = document.getElementById("src-" + task.getAttribute("data-task"));
    if (source && source.scrollIntoView) source.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("click", function (event) {
    var source = event.target.closest("a.src[data-task]");
    if (source) activate(source.getAttribute("data-task"));
    var all = event.target.closest("[data-select-all]");
    if (all) {
      form.querySelectorAll("input[name='selected']").forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });
})();
