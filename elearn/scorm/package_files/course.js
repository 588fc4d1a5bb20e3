/* The standalone package's course: one module at a time, "I have read this module",
   and the package-only quiz, scored here because the LMS may not reach elearn (the
   one exception to "the answer key never reaches the browser": this pool is used
   nowhere else). Progress is kept in the LMS's suspend data, so a learner who closes
   the course resumes where they were. Without JavaScript every module is one long,
   readable page. */
(function () {
  "use strict";

  var scorm = window.elearnScorm;
  var quiz = JSON.parse(document.getElementById("package-quiz").textContent);
  var sections = Array.prototype.slice.call(document.querySelectorAll("main section[data-part]"));
  var moduleIds = sections.filter(function (s) { return s.dataset.part === "module"; })
    .map(function (s) { return s.id; });
  var state = { read: [], at: sections[0].id, score: null, passed: false };

  try {
    var saved = JSON.parse(scorm.suspendData() || "{}");
    if (Array.isArray(saved.read)) { state.read = saved.read.filter(function (id) { return moduleIds.indexOf(id) >= 0; }); }
    if (typeof saved.at === "string" && document.getElementById(saved.at)) { state.at = saved.at; }
    if (typeof saved.score === "number") { state.score = saved.score; state.passed = saved.passed === true; }
  } catch (e) { /* no or foreign suspend data: start at the beginning */ }

  function allRead() { return moduleIds.every(function (id) { return state.read.indexOf(id) >= 0; }); }

  function save() {
    scorm.saveSuspendData(JSON.stringify(state));
    var status = state.score === null ? "incomplete" : (state.passed ? "passed" : "failed");
    if (state.passed || state.score !== null || state.read.length) { scorm.report(status, state.score, allRead()); }
  }

  // moveFocus: after the learner moved on (a screen reader reads the new part); not on load
  function show(id, moveFocus) {
    sections.forEach(function (s) { s.hidden = s.id !== id; });
    state.at = id;
    document.querySelectorAll("nav.contents a").forEach(function (a) {
      var target = a.getAttribute("href").slice(1);
      if (target === id) { a.setAttribute("aria-current", "page"); } else { a.removeAttribute("aria-current"); }
      a.classList.toggle("read", state.read.indexOf(target) >= 0);
    });
    var locked = document.getElementById("quiz-locked");
    var form = document.getElementById("quiz-form");
    if (id === "quiz") {
      locked.hidden = allRead() || state.passed;
      form.hidden = !allRead() || state.passed;
      document.getElementById("quiz-result").hidden = state.score === null;
    }
    var heading = document.querySelector("#" + id + " h2");
    if (heading && moveFocus) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    window.scrollTo(0, 0);
  }

  document.querySelectorAll("nav.contents a, a.next-part").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      show(a.getAttribute("href").slice(1), true);
      save();
    });
  });

  document.querySelectorAll("button.module-read").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.closest("section").id;
      if (state.read.indexOf(id) < 0) { state.read.push(id); }
      var next = sections[sections.indexOf(document.getElementById(id)) + 1];
      show(next ? next.id : id, true);
      save();
    });
  });

  // SPEC §3: a question scores 1 only when the chosen options are exactly the right set.
  function chosen(fieldset) {
    return Array.prototype.slice.call(fieldset.querySelectorAll("input:checked")).map(function (i) { return i.value; }).sort();
  }

  function showResult(marks) {
    var result = document.getElementById("quiz-result");
    result.hidden = false;
    result.querySelector(".score").textContent = quiz.text.score.replace("%(score)s", state.score);
    result.querySelector(".verdict").textContent = state.passed ? quiz.text.passed : quiz.text.failed;
    var list = result.querySelector("ol");
    list.textContent = "";
    (marks || []).forEach(function (mark) {
      var item = document.createElement("li");
      item.textContent = (mark.right ? quiz.text.right : quiz.text.wrong) + " " +
        (state.passed ? mark.question.explanation : (mark.right ? "" : mark.question.hint));
      list.appendChild(item);
    });
    document.getElementById("quiz-form").hidden = state.passed;
  }

  document.getElementById("quiz-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var marks = quiz.questions.map(function (question) {
      var picked = chosen(form.querySelector("fieldset[data-question='" + question.id + "']"));
      return { question: question, right: picked.join(" ") === question.answer.slice().sort().join(" ") };
    });
    // elearn's scoring rule, as a table made by the package builder: right answers -> [score, passed]
    var outcome = quiz.outcomes[marks.filter(function (m) { return m.right; }).length];
    state.score = outcome[0];
    state.passed = outcome[1];
    save();
    showResult(marks);
    form.reset();
  });

  document.documentElement.classList.add("scripted");
  show(state.at, false);
  if (state.score !== null) { showResult(null); }
  if (scorm.connected() && !state.read.length && state.score === null) { save(); }
}());
