/* The dispatch launcher: opens the course served by elearn in a window of its own
   (the LMS frame is another site, whose cookies a browser may refuse), and relays the
   learner's result from elearn to the LMS: it asks elearn while the course is open
   and whenever the learner comes back to this page. */
(function () {
  "use strict";

  var scorm = window.elearnScorm;
  var config = scorm.config;
  var button = document.getElementById("open-course");
  var status = document.getElementById("course-status");
  var learner = scorm.learnerId();
  var timer = null;
  var courseWindow = null;

  function query() {
    return "learner=" + encodeURIComponent(learner) + "&locale=" + encodeURIComponent(config.locale) + "&region=" + encodeURIComponent(config.region);
  }

  function show(text) { status.textContent = text; }

  function check() {
    if (!learner) { return; }
    fetch(config.progress + "?" + query(), { credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (pair) {
        var body = pair[1];
        if (!pair[0]) { show(body.message || config.text.unavailable); return; }
        if (body.status === "passed" || body.status === "failed" || body.status === "incomplete") {
          scorm.report(body.status, body.score, body.modules_read >= body.modules_total);
        }
        show(config.text[body.status.replace(" ", "_")] || "");
        if (body.status === "passed" && timer) { clearInterval(timer); timer = null; }
      })
      .catch(function () { show(config.text.unavailable); });
  }

  if (!learner) {
    button.disabled = true;
    show(config.text.no_lms);
    return;
  }
  scorm.saveSuspendData(JSON.stringify({ opened: true }));
  button.addEventListener("click", function () {
    var url = config.launch + "?" + query() + "&name=" + encodeURIComponent(scorm.learnerName());
    courseWindow = window.open(url, "elearn-course");
    if (!courseWindow) { show(config.text.popup_blocked); return; }
    show(config.text.opened);
    if (!timer) { timer = setInterval(check, config.poll_seconds * 1000); }
  });
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { check(); } });
  check();
}());
