// The interactive SOM result viewer. Plain browser JavaScript, inlined into index.html with
// uPlot and the data, so the page works offline from the job's result URL.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('som-data').textContent);
  var VIRIDIS = data.palette.viridis;
  var CLASS_COLOURS = data.palette.classes;
  var K = data.rows * data.cols;
  var D = data.dim;
  var HEX = data.topology === 'hexagonal';
  var ROW_H = HEX ? Math.sqrt(3) / 2 : 1;

  function decode(b64, Type) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }
  var codebook = decode(data.codebook, Float32Array);
  var embedded = data.embedded;
  var embeddedFlux = decode(embedded.flux, Uint16Array);
  var embeddedRow = {};
  embedded.index.forEach(function (s, r) { embeddedRow[s] = r; });

  /** The flux of an embedded sample, dequantised from 16 bits. */
  function sampleFlux(s) {
    var r = embeddedRow[s];
    if (r === undefined) return null;
    var out = new Float64Array(D);
    var off = embedded.offset[r], scale = embedded.scale[r];
    for (var j = 0; j < D; j++) out[j] = off + scale * embeddedFlux[r * D + j];
    return out;
  }

  // samples of each unit, closest first
  var members = [];
  for (var u = 0; u < K; u++) members.push([]);
  data.samples.bmu.forEach(function (b, i) { members[b].push(i); });
  members.forEach(function (m) { m.sort(function (a, b) { return data.samples.distance[a] - data.samples.distance[b]; }); });

  // ---- geometry: unit centres in map units (as the kernel's Grid) ----
  function centre(k) {
    var i = Math.floor(k / data.cols), j = k % data.cols;
    return [j + (HEX && i % 2 === 1 ? 0.5 : 0), i * ROW_H];
  }
  var canvas = document.getElementById('map');
  var ctx = canvas.getContext('2d');
  var widthUnits = data.cols + (HEX ? 0.5 : 0);
  var heightUnits = (data.rows - 1) * ROW_H + (HEX ? 2 / Math.sqrt(3) : 1);
  var cell = Math.max(6, Math.min(48, Math.floor(640 / Math.max(widthUnits, heightUnits))));
  var pad = 4;
  canvas.width = Math.ceil(widthUnits * cell + 2 * pad);
  canvas.height = Math.ceil(heightUnits * cell + 2 * pad);
  function toPixel(k) {
    var c = centre(k);
    var yOff = HEX ? 1 / Math.sqrt(3) : 0.5;
    return [pad + (c[0] + 0.5) * cell, pad + (c[1] + yOff) * cell];
  }
  function cellPath(k) {
    var p = toPixel(k);
    ctx.beginPath();
    if (HEX) {
      var r = cell / Math.sqrt(3);
      for (var a = 0; a < 6; a++) {
        var ang = Math.PI / 6 + (a * Math.PI) / 3;
        var x = p[0] + r * Math.cos(ang), y = p[1] + r * Math.sin(ang);
        if (a === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      ctx.closePath();
    } else {
      ctx.rect(p[0] - cell / 2, p[1] - cell / 2, cell, cell);
    }
  }
  function unitAt(px, py) {
    var best = -1, bd = Infinity;
    for (var k = 0; k < K; k++) {
      var p = toPixel(k);
      var d = (p[0] - px) * (p[0] - px) + (p[1] - py) * (p[1] - py);
      if (d < bd) { bd = d; best = k; }
    }
    var limit = HEX ? cell * cell / 3 : cell * cell / 2;
    return bd <= limit ? best : -1;
  }

  // ---- colours ----
  function viridis(t) {
    t = Math.min(1, Math.max(0, isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
    var i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
    return 'rgb(' + [0, 1, 2].map(function (c) { return Math.round(a[c] + f * (b[c] - a[c])); }).join(',') + ')';
  }
  function range(values) {
    var lo = Infinity, hi = -Infinity;
    values.forEach(function (v) { if (v < lo) lo = v; if (v > hi) hi = v; });
    return [lo, hi > lo ? hi : lo + 1];
  }
  var mode = document.getElementById('colour-mode');
  if (data.classNames.length === 0) mode.querySelector('option[value=class]').disabled = true;
  function colourOf(k) {
    if (mode.value === 'class') {
      var c = data.dominant[k];
      return c < 0 ? '#eeeeee' : CLASS_COLOURS[c % CLASS_COLOURS.length];
    }
    var vals = mode.value === 'hits' ? data.hits.map(function (h) { return Math.log1p(h); }) : data.umatrix;
    var r = range(vals);
    return viridis((vals[k] - r[0]) / (r[1] - r[0]));
  }

  var selected = -1;
  function draw() {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (var k = 0; k < K; k++) {
      cellPath(k);
      ctx.fillStyle = colourOf(k);
      ctx.fill();
      ctx.strokeStyle = 'rgba(255,255,255,0.6)';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    if (selected >= 0) {
      cellPath(selected);
      ctx.strokeStyle = '#d62728';
      ctx.lineWidth = 3;
      ctx.stroke();
    }
    legend();
  }

  function legend() {
    var el = document.getElementById('legend');
    el.innerHTML = '';
    if (mode.value === 'class') {
      data.classNames.forEach(function (name, c) {
        var item = document.createElement('span');
        var sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = CLASS_COLOURS[c % CLASS_COLOURS.length];
        item.appendChild(sw);
        item.appendChild(document.createTextNode(name));
        el.appendChild(item);
      });
      var none = document.createElement('span');
      none.innerHTML = '<span class="swatch" style="background:#eeeeee"></span>no labelled spectra (or none at all)';
      el.appendChild(none);
      return;
    }
    var hits = mode.value === 'hits';
    var vals = hits ? data.hits : data.umatrix;
    var r = range(vals);
    var bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.background = 'linear-gradient(to right,' + VIRIDIS.map(function (c) { return 'rgb(' + c.join(',') + ')'; }).join(',') + ')';
    el.appendChild(document.createTextNode(fmt(r[0]) + ' '));
    el.appendChild(bar);
    el.appendChild(document.createTextNode(' ' + fmt(hits ? Math.max.apply(null, data.hits) : r[1]) + (hits ? ' spectra (log scale)' : ' (' + data.distance + ' distance)')));
  }
  function fmt(v) { return Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(3); }

  function unitLabel(k) {
    return 'neuron ' + k + ' (row ' + Math.floor(k / data.cols) + ', col ' + (k % data.cols) + ')';
  }
  function classSummary(k) {
    var counts = data.classCounts[k];
    if (!counts || data.classNames.length === 0) return '';
    var parts = [];
    counts.forEach(function (n, c) { if (n > 0) parts.push(data.classNames[c] + ' ' + n); });
    return parts.length ? parts.join(', ') : 'no labelled spectra';
  }

  // ---- tooltip ----
  var tip = document.getElementById('tooltip');
  canvas.addEventListener('mousemove', function (ev) {
    var rect = canvas.getBoundingClientRect();
    var k = unitAt(ev.clientX - rect.left, ev.clientY - rect.top);
    if (k < 0) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.textContent = '';
    [unitLabel(k), 'hits: ' + data.hits[k], 'U-matrix: ' + fmt(data.umatrix[k]), classSummary(k)].forEach(function (line) {
      if (!line) return;
      var div = document.createElement('div');
      div.textContent = line;
      tip.appendChild(div);
    });
    tip.style.left = (ev.clientX - rect.left + 14) + 'px';
    tip.style.top = (ev.clientY - rect.top + 14) + 'px';
  });
  canvas.addEventListener('mouseleave', function () { tip.hidden = true; });
  canvas.addEventListener('click', function (ev) {
    var rect = canvas.getBoundingClientRect();
    var k = unitAt(ev.clientX - rect.left, ev.clientY - rect.top);
    if (k >= 0) { select(k); canvas.focus(); }
  });

  // ---- keyboard: arrows move to the neighbour in that direction (wrapping on a torus) ----
  function step(k, key) {
    var i = Math.floor(k / data.cols), j = k % data.cols;
    var wrap = data.toroidal;
    function clampOrWrap(v, n) { return wrap ? (v + n) % n : Math.min(n - 1, Math.max(0, v)); }
    if (key === 'ArrowLeft') j = clampOrWrap(j - 1, data.cols);
    else if (key === 'ArrowRight') j = clampOrWrap(j + 1, data.cols);
    else {
      var ni = clampOrWrap(i + (key === 'ArrowUp' ? -1 : 1), data.rows);
      if (ni === i) return k;
      if (HEX) {
        // the row above/below is shifted by half a cell: keep the nearer of the two touching cells
        var x = j + (i % 2 === 1 ? 0.5 : 0);
        j = clampOrWrap(Math.round(x - (ni % 2 === 1 ? 0.5 : 0) - 1e-9), data.cols);
      }
      i = ni;
    }
    return i * data.cols + j;
  }
  canvas.addEventListener('keydown', function (ev) {
    if (['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].indexOf(ev.key) < 0) return;
    ev.preventDefault();
    select(step(selected < 0 ? 0 : selected, ev.key));
  });
  mode.addEventListener('change', draw);

  // ---- the selected neuron: reference vector, associated spectra, list ----
  var xs = data.wavelength || Array.from({ length: D }, function (_, j) { return j; });
  var chartEl = document.getElementById('chart');
  var plot = null;
  function chartWidth() { return Math.max(320, Math.min(900, chartEl.clientWidth || 600)); }
  function select(k) {
    selected = k;
    draw();
    var m = members[k];
    document.getElementById('unit-title').textContent = unitLabel(k);
    var info = data.hits[k] + ' spectra · U-matrix ' + fmt(data.umatrix[k]);
    var cs = classSummary(k);
    document.getElementById('unit-info').textContent = cs ? info + ' · ' + cs : info;
    var series = [{ label: data.wavelength ? 'wavelength [' + (data.wavelengthUnit || '') + ']' : 'pixel' },
      { label: 'reference vector', stroke: '#d62728', width: 2.5 }];
    var cols = [xs, Array.from(codebook.subarray(k * D, (k + 1) * D))];
    var plotted = {};
    m.forEach(function (s) {
      var f = sampleFlux(s);
      if (!f) return;
      plotted[s] = true;
      series.push({ label: data.samples.names[s], stroke: 'rgba(78,121,167,0.55)', width: 1 });
      cols.push(Array.from(f));
    });
    if (plot) plot.destroy();
    plot = new uPlot({ width: chartWidth(), height: 320, series: series, scales: { x: { time: false } },
      axes: [{ label: data.wavelength ? 'wavelength [' + (data.wavelengthUnit || '') + ']' : 'pixel' },
        { label: data.distance === 'cosine' ? 'flux (scaled to unit length)' : 'flux' }],
      legend: { show: series.length <= 12 } }, cols, chartEl);
    var body = document.querySelector('#members tbody');
    body.innerHTML = '';
    m.forEach(function (s, r) {
      var tr = document.createElement('tr');
      var cls = data.samples.classes[s];
      [String(r + 1), data.samples.names[s], cls >= 0 ? data.classNames[cls] : '', data.samples.distance[s].toPrecision(4), plotted[s] ? 'yes' : '']
        .forEach(function (v, c) {
          var td = document.createElement('td');
          td.textContent = v;
          if (c === 0 || c === 3) td.className = 'num';
          tr.appendChild(td);
        });
      body.appendChild(tr);
    });
    if (m.length === 0) body.innerHTML = '<tr><td colspan="5">no spectra have this neuron as their best match</td></tr>';
    window.somViewer.selected = k;
  }

  document.getElementById('export-png').addEventListener('click', function () {
    var a = document.createElement('a');
    a.download = 'som-map-' + mode.value + '.png';
    a.href = canvas.toDataURL('image/png');
    document.body.appendChild(a);
    a.click();
    a.remove();
  });

  document.getElementById('summary').textContent =
    data.rows + ' × ' + data.cols + ' ' + data.topology + (data.toroidal ? ' toroidal' : '') + ' map · ' +
    data.samples.bmu.length + ' spectra × ' + D + ' values · ' + data.distance + ' distance · QE ' + fmt(data.qe) +
    ' · TE ' + fmt(data.te) + ' · ' + data.history.length + ' epochs';

  // for scripts and headless checks
  window.somViewer = { data: data, selected: -1, select: select, unitAt: unitAt, toPixel: toPixel, members: members };
  // start on the busiest neuron, so the page shows spectra at once
  var busiest = 0;
  data.hits.forEach(function (h, k) { if (h > data.hits[busiest]) busiest = k; });
  select(busiest);
})();
