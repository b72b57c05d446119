// charter's dashboard: draws the charts the page carries, keeps the timeline's event
// fields, counts ROFR deadlines down, pages the placements table and polls a running plan.
(function () {
  "use strict";
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }

  // charts: each <script type="application/json" class="figure"> holds a Plotly figure
  each("script.figure", function (node) {
    var target = document.getElementById(node.dataset.target);
    if (!target || !window.Plotly) { return; }
    var fig = JSON.parse(node.textContent);
    window.Plotly.newPlot(target, fig.data, fig.layout, { responsive: true, displaylogo: false });
  });

  // timeline: assumed event dates become event=NAME=DATE fields
  each("form.controls", function (form) {
    form.addEventListener("submit", function () {
      var holder = form.querySelector("#event-fields");
      if (!holder) { return; }
      var inputs = form.querySelectorAll("input[data-event]");
      if (!inputs.length) { return; }
      holder.innerHTML = "";
      Array.prototype.forEach.call(inputs, function (input) {
        if (!input.value) { return; }
        var field = document.createElement("input");
        field.type = "hidden"; field.name = "event";
        field.value = input.dataset.event + "=" + input.value;
        holder.appendChild(field);
      });
    });
  });

  // ROFR deadlines: time left, refreshed every minute
  function countdown() {
    each("time.deadline", function (node) {
      var left = new Date(node.getAttribute("datetime")) - new Date();
      if (isNaN(left)) { return; }
      var days = Math.floor(left / 864e5), hours = Math.floor((left % 864e5) / 36e5);
      node.textContent = node.getAttribute("datetime").slice(0, 10) +
        (left > 0 ? " (" + days + " d " + hours + " h)" : " (!)");
    });
  }
  countdown(); setInterval(countdown, 60000);

  // placements: sort, filter and page thousands of rows without a round trip
  var data = document.getElementById("placements-data");
  var table = document.getElementById("placements");
  if (data && table) {
    var rows = JSON.parse(data.textContent), shown = rows, page = 0;
    var size = parseInt(table.dataset.pageSize, 10) || 50, key = null, asc = true;
    var body = table.querySelector("tbody"), label = document.getElementById("pl-page");
    var cols = ["workload", "offer", "provider", "period", "hours", "cost"];
    var fmt = new Intl.NumberFormat(document.documentElement.lang, { maximumFractionDigits: 0 });
    function draw() {
      var pages = Math.max(1, Math.ceil(shown.length / size));
      page = Math.min(page, pages - 1);
      body.innerHTML = "";
      shown.slice(page * size, (page + 1) * size).forEach(function (r) {
        var tr = document.createElement("tr");
        cols.forEach(function (c) {
          var td = document.createElement("td");
          td.textContent = typeof r[c] === "number" ? fmt.format(r[c]) : r[c];
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      label.textContent = (page + 1) + " / " + pages + " (" + shown.length + ")";
    }
    document.getElementById("pl-filter").addEventListener("input", function (e) {
      var q = e.target.value.toLowerCase();
      shown = rows.filter(function (r) {
        return cols.some(function (c) { return String(r[c]).toLowerCase().indexOf(q) >= 0; });
      });
      page = 0; draw();
    });
    each("th button[data-sort]", function (b) {
      b.addEventListener("click", function () {
        var c = b.dataset.sort; asc = key === c ? !asc : true; key = c;
        shown = shown.slice().sort(function (x, y) {
          return (x[c] > y[c] ? 1 : x[c] < y[c] ? -1 : 0) * (asc ? 1 : -1);
        });
        draw();
      });
    });
    document.getElementById("pl-prev").addEventListener("click", function () { page = Math.max(0, page - 1); draw(); });
    document.getElementById("pl-next").addEventListener("click", function () { page += 1; draw(); });
    draw();
  }

  // a running plan: poll its progress, reload when it is done
  var job = document.getElementById("job");
  if (job && job.dataset.status === "running") {
    var poll = function () {
      fetch("/plan/jobs/" + job.dataset.job + ".json", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.status !== "running") { window.location.reload(); return; }
          var p = document.getElementById("progress");
          if (p && s.messages.length) { p.textContent = s.messages[s.messages.length - 1]; }
          setTimeout(poll, 1000);
        });
    };
    setTimeout(poll, 1000);
  }
}());
