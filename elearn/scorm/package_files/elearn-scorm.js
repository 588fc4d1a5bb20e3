/* elearn's SCORM runtime, in every package: finds the LMS's API (SCORM 1.2 `API`,
   SCORM 2004 `API_1484_11`) by the standard window walk, and reports what the page
   tells it in the version's own words: lesson status, score, suspend data, session
   time, exit. Both package kinds use it: the standalone course (course.js) and the
   dispatch launcher (dispatch.js). Without an LMS it does nothing, so the pages also
   open from disk. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("package-config").textContent);
  var v2004 = config.version === "2004";
  var apiName = v2004 ? "API_1484_11" : "API";

  // SCORM's window walk: this window's parents (at most 500), then the opener's.
  function walk(win) {
    var hops = 0;
    while (win && hops < 500) {
      try {
        if (win[apiName]) { return win[apiName]; }
      } catch (e) { /* a frame of another origin: keep walking up */ }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
      hops += 1;
    }
    return null;
  }
  var api = walk(window) || (window.opener ? walk(window.opener) : null);

  var F = v2004 ? {
    init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit", finish: "Terminate",
    learnerId: "cmi.learner_id", learnerName: "cmi.learner_name", entry: "cmi.entry",
    suspend: "cmi.suspend_data", exit: "cmi.exit", sessionTime: "cmi.session_time",
    raw: "cmi.score.raw", min: "cmi.score.min", max: "cmi.score.max", scaled: "cmi.score.scaled"
  } : {
    init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit", finish: "LMSFinish",
    learnerId: "cmi.core.student_id", learnerName: "cmi.core.student_name", entry: "cmi.core.entry",
    suspend: "cmi.suspend_data", exit: "cmi.core.exit", sessionTime: "cmi.core.session_time",
    raw: "cmi.core.score.raw", min: "cmi.core.score.min", max: "cmi.core.score.max", lessonStatus: "cmi.core.lesson_status"
  };

  var started = Date.now();
  var open = false;
  var finished = false;
  var reported = null;

  function call(method, a, b) {
    if (!api || typeof api[method] !== "function") { return ""; }
    return b === undefined ? api[method](a) : api[method](a, b);
  }
  function get(name) { return open ? String(call(F.get, name) || "") : ""; }
  function set(name, value) { if (open) { call(F.set, name, String(value)); } }

  function pad(n, width) { n = String(n); while (n.length < width) { n = "0" + n; } return n; }
  // 1.2: HHHH:MM:SS.SS; 2004: ISO 8601 duration (PT#H#M#S)
  function sessionTime(ms) {
    var cs = Math.round(ms / 10), s = Math.floor(cs / 100), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var sec = s % 60, frac = cs % 100;
    if (v2004) { return "PT" + h + "H" + m + "M" + sec + "." + pad(frac, 2) + "S"; }
    return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(sec, 2) + "." + pad(frac, 2);
  }

  // status: "incomplete" | "passed" | "failed"; score: percent or null; allRead: bool
  function report(status, score, allRead) {
    var key = status + "/" + score + "/" + allRead;
    if (!open || key === reported) { return; }
    reported = key;
    if (score !== null && score !== undefined) {
      set(F.raw, score); set(F.min, 0); set(F.max, 100);
      if (v2004) { set(F.scaled, score / 100); }
    }
    if (v2004) {
      set("cmi.completion_status", status === "passed" || (status === "failed" && allRead) ? "completed" : "incomplete");
      set("cmi.success_status", status === "incomplete" ? "unknown" : status);
    } else {
      set(F.lessonStatus, status);
    }
    call(F.commit, "");
  }

  function finish() {
    if (!open || finished) { return; }
    finished = true;
    set(F.sessionTime, sessionTime(Date.now() - started));
    // "suspend" keeps the attempt (and its suspend data) for the next launch
    var done = reported && reported.indexOf("passed/") === 0;
    set(F.exit, done ? (v2004 ? "normal" : "") : "suspend");
    call(F.commit, "");
    call(F.finish, "");
    open = false;
  }

  if (api) {
    var ok = call(F.init, "");
    open = ok === true || ok === "true";
    if (open && !v2004 && get(F.lessonStatus) === "not attempted") {
      set(F.lessonStatus, "incomplete");
    }
    if (open && v2004 && get("cmi.completion_status") === "not attempted") {
      set("cmi.completion_status", "incomplete");
    }
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
  }

  window.elearnScorm = {
    config: config,
    connected: function () { return open; },
    learnerId: function () { return get(F.learnerId); },
    learnerName: function () { return get(F.learnerName); },
    resuming: function () { return get(F.entry) === "resume"; },
    suspendData: function () { return get(F.suspend); },
    saveSuspendData: function (text) { set(F.suspend, text); call(F.commit, ""); },
    report: report,
    finish: finish
  };
}());
