// Follows an upload's job until every stored record is matchable: polls the job's JSON
// (GET /api/v1/jobs/{id}, with the session's cookie) and moves the progress bar. Without
// this script the page's "Refresh" link does the same by hand.
(function () {
  "use strict";
  var box = document.querySelector(".job-progress");
  if (!box) { return; }
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var refresh = document.getElementById("job-refresh");
  var stored = parseInt(box.getAttribute("data-stored"), 10) || 0;
  var format = new Intl.NumberFormat(document.documentElement.lang || "en");
  var delay = 1000;

  function show(job) {
    bar.value = job.done;
    if (job.status === "finished") {
      bar.value = bar.max;
      status.textContent = status.getAttribute("data-done-text");
      if (refresh) { refresh.parentNode.removeChild(refresh); }
      return true;
    }
    status.textContent = status.getAttribute("data-running-text")
      .replace("{done}", format.format(job.done))
      .replace("{total}", format.format(stored));
    return false;
  }

  function poll() {
    fetch("/api/v1/jobs/" + encodeURIComponent(box.getAttribute("data-job")), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (answer) {
      if (!answer.ok) { throw new Error("job " + answer.status); }
      return answer.json();
    }).then(function (job) {
      if (!show(job)) {
        delay = Math.min(delay * 1.5, 10000);
        window.setTimeout(poll, delay);
      }
    }).catch(function () {
      window.setTimeout(poll, 10000);  // the Refresh link stays for the reader meanwhile
    });
  }

  window.setTimeout(poll, delay);
}());
