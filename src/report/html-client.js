// The HTML report's script: charts (Chart.js, inlined before this), sorting, filtering and
// the expandable host rows. Every figure is also in a table the page renders without it.
(function () {
  'use strict';
  var figures = JSON.parse(document.getElementById('runbook-figures').textContent);
  var COLOURS = { ok: '#2e9e4a', changed: '#d9a400', skipped: '#1f9bb3', failed: '#d93025', unreachable: '#8c1d18', 'not-run': '#9aa3ad' };
  var LINE_COLOURS = ['#d93025', '#e37400', '#7b5ea7'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas && !Chart.getChart(canvas)) new Chart(canvas, config);
  }
  // A threshold as a flat line across the bars: one point per bar, no markers.
  function line(label, value, count, colour) {
    var data = [];
    for (var i = 0; i < count; i++) data.push(value);
    return { type: 'line', label: label, data: data, borderColor: colour, borderDash: [6, 4], pointRadius: 0, fill: false, order: 0 };
  }
  function yTitle(text) {
    return { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: text } } };
  }

  draw('chart-statuses', {
    type: 'bar',
    data: {
      labels: figures.statuses.map(function (s) { return s.status; }),
      datasets: [{ label: 'hosts', data: figures.statuses.map(function (s) { return s.hosts; }), backgroundColor: figures.statuses.map(function (s) { return COLOURS[s.status]; }) }],
    },
    options: { plugins: { legend: { display: false } }, scales: yTitle('hosts') },
  });
  draw('chart-sessions', {
    type: 'bar',
    data: { labels: figures.histogram.map(function (b) { return b.label; }), datasets: [{ label: 'hosts', data: figures.histogram.map(function (b) { return b.hosts; }), backgroundColor: '#4a78b5' }] },
    options: { plugins: { legend: { display: false } }, scales: Object.assign(yTitle('hosts'), { x: { title: { display: true, text: 'sessions' } } }) },
  });

  // A host's charts are drawn when it is first expanded: a fleet of a thousand hosts stays quick to open.
  function drawHost(i) {
    var f = figures.hosts[i];
    if (f.peers.length > 0) {
      var peers = [{ type: 'bar', label: 'AH sessions', data: f.peers.map(function (p) { return p.sessions; }), backgroundColor: '#4a78b5', order: 1 }];
      if (f.peerThreshold !== undefined) peers.push(line('threshold (min_peer_sessions)', f.peerThreshold, f.peers.length, LINE_COLOURS[0]));
      draw('chart-peers-' + i, { type: 'bar', data: { labels: f.peers.map(function (p) { return p.peer; }), datasets: peers }, options: { scales: yTitle('AH sessions') } });
    }
    if (f.spus.length > 0) {
      var spus = [{ type: 'bar', label: 'use %', data: f.spus.map(function (s) { return s.percent; }), backgroundColor: '#4a78b5', order: 1 }];
      f.watermarks.forEach(function (w, k) { spus.push(line(w.name, w.percent, f.spus.length, LINE_COLOURS[k % LINE_COLOURS.length])); });
      draw('chart-spus-' + i, { type: 'bar', data: { labels: f.spus.map(function (s) { return s.label; }), datasets: spus }, options: { scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: 'session table use %' } } } } });
    }
    if (f.verify.length > 0) {
      draw('chart-verify-' + i, {
        type: 'bar',
        data: {
          labels: f.verify.map(function (v) { return v.name; }),
          datasets: [
            { label: 'before', data: f.verify.map(function (v) { return v.before; }), backgroundColor: '#9aa3ad' },
            { label: 'after', data: f.verify.map(function (v) { return v.after; }), backgroundColor: '#2e9e4a' },
          ],
        },
        options: { scales: yTitle('count') },
      });
    }
    var checks = figures.checks[i];
    if (checks.length > 0) {
      draw('chart-checks-' + i, {
        type: 'bar',
        data: {
          labels: checks.map(function (c) { return c.label; }),
          datasets: [
            { label: 'pre', data: checks.map(function (c) { return c.pre; }), backgroundColor: '#9aa3ad' },
            { label: 'post', data: checks.map(function (c) { return c.post; }), backgroundColor: '#d93025' },
          ],
        },
        options: { scales: yTitle('value') },
      });
    }
  }

  var table = document.getElementById('host-table');
  var body = table.tBodies[0];
  // Looked up once: a fleet of a thousand hosts sorts and filters without a query per row.
  var details = {};
  body.querySelectorAll('tr.host-details').forEach(function (d) { details[d.dataset.index] = d; });
  function detailsOf(row) { return details[row.dataset.index]; }
  function toggle(row) {
    var d = detailsOf(row);
    var open = d.hidden;
    d.hidden = !open;
    row.setAttribute('aria-expanded', String(open));
    if (open) drawHost(Number(row.dataset.index));
  }
  body.addEventListener('click', function (e) {
    var row = e.target.closest('tr.host-row');
    if (row) toggle(row);
  });
  body.addEventListener('keydown', function (e) {
    var row = e.target.closest('tr.host-row');
    if (row && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); toggle(row); }
  });

  // Sorting moves each host row together with its details row.
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    function sort() {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var numeric = th.dataset.type === 'num';
      var rows = Array.prototype.slice.call(body.querySelectorAll('tr.host-row'));
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, { numeric: true });
        return ascending ? c : -c;
      });
      var sorted = document.createDocumentFragment();
      rows.forEach(function (row) { sorted.appendChild(row); sorted.appendChild(detailsOf(row)); });
      body.appendChild(sorted);
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
  });

  var filter = document.getElementById('host-filter');
  var statusFilter = document.getElementById('status-filter');
  var shown = document.getElementById('shown-count');
  function applyFilter() {
    var text = filter.value.trim().toLowerCase();
    var status = statusFilter.value;
    var rows = body.querySelectorAll('tr.host-row');
    var count = 0;
    rows.forEach(function (row) {
      var match = (status === '' || row.dataset.status === status) && (text === '' || row.textContent.toLowerCase().indexOf(text) >= 0 || detailsOf(row).textContent.toLowerCase().indexOf(text) >= 0);
      row.hidden = !match;
      if (!match) detailsOf(row).hidden = true, row.setAttribute('aria-expanded', 'false');
      if (match) count++;
    });
    shown.textContent = count + ' of ' + rows.length + ' hosts';
  }
  filter.addEventListener('input', applyFilter);
  statusFilter.addEventListener('change', applyFilter);
})();
