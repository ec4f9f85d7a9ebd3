// Live batch progress: follow the batch's server-sent events and redraw its table.
// The page is complete without this script (it then reloads itself every few seconds).
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box || box.dataset.status === "completed" || !window.EventSource) return;
  var labels = JSON.parse(document.getElementById("labels").textContent);

  function badge(state) {
    var known = labels[state] || ["•", state ? state.replace(/_/g, " ") : "—", "wait"];
    var span = document.createElement("span");
    span.className = "badge " + known[2];
    var symbol = document.createElement("span");
    symbol.setAttribute("aria-hidden", "true");
    symbol.textContent = known[0];
    span.appendChild(symbol);
    span.appendChild(document.createTextNode(" " + known[1]));
    return span;
  }

  function number(value) {
    return value === null ? "—" : String(Math.round(value * 100) / 100);
  }

  function cell(row, content, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    if (typeof content === "string") td.textContent = content; else td.appendChild(content);
    row.appendChild(td);
  }

  function row(s) {
    var tr = document.createElement("tr");
    tr.dataset.id = s.id;
    var link = document.createElement("a");
    link.href = "/results/" + s.id;
    link.textContent = s.student;
    cell(tr, link);
    cell(tr, badge(s.status));
    cell(tr, s.verdict ? badge(s.verdict) : "—");
    cell(tr, s.score === null ? "—" : number(s.score) + "/" + number(s.max_score), "num");
    return tr;
  }

  function draw(view) {
    var progress = document.getElementById("batch-progress");
    progress.max = view.progress.total;
    progress.value = view.progress.done;
    var count = document.getElementById("batch-count");
    count.innerHTML = "";
    var strong = document.createElement("strong");
    strong.textContent = view.progress.done;
    count.appendChild(strong);
    count.appendChild(document.createTextNode(" of " + view.progress.total + " graded"));
    var status = document.getElementById("batch-status");
    status.innerHTML = "";
    status.appendChild(badge(view.status));
    var body = document.querySelector("#batch-table tbody");
    body.innerHTML = "";
    view.submissions.forEach(function (s) { body.appendChild(row(s)); });
    box.dataset.status = view.status;
    if (view.status === "completed") {
      document.getElementById("batch-done").textContent = "All graded. The gradebook is on the assignment's page.";
    }
  }

  var events = new EventSource(box.dataset.events);
  events.addEventListener("batch", function (event) {
    var view = JSON.parse(event.data);
    draw(view);
    if (view.status === "completed") events.close();
  });
  events.onerror = function () {
    if (box.dataset.status === "completed") events.close();
  };
})();
