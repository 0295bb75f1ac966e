// The Lifetimes view's page script: receives the rendered SVG and the fault list from the
// extension and puts them in place, keeping the current stop in view.
(function () {
  const vscode = acquireVsCodeApi();
  const chart = document.getElementById('chart');
  const title = document.getElementById('title');
  const status = document.getElementById('status');
  const faults = document.getElementById('faults');
  const legendCurrent = document.getElementById('legend-current');

  const LABEL_W = 200;
  let labels = null;

  // The lane names stay in view when the chart scrolls sideways: a copy of the SVG clipped
  // to its label column, moved with the scroll position (CSSOM, allowed by the CSP).
  function pinLabels() {
    const svg = chart.querySelector('svg.lifetimes');
    labels = null;
    if (!svg) return;
    svg.classList.add('chart');
    const h = svg.getAttribute('height');
    const copy = svg.cloneNode(true);
    copy.classList.remove('chart');
    copy.classList.add('labels');
    copy.setAttribute('width', String(LABEL_W));
    copy.setAttribute('viewBox', `0 0 ${LABEL_W} ${h}`);
    copy.setAttribute('aria-hidden', 'true');
    for (const el of copy.querySelectorAll('g.col, g.seg-g, g.fault, rect.current, text.current-label, line')) el.remove();
    const NS = 'http://www.w3.org/2000/svg';
    const bg = document.createElementNS(NS, 'rect');
    bg.setAttribute('class', 'bg-label');
    bg.setAttribute('x', '0');
    bg.setAttribute('y', '0');
    bg.setAttribute('width', String(LABEL_W));
    bg.setAttribute('height', h);
    copy.insertBefore(bg, copy.firstChild);
    const edge = document.createElementNS(NS, 'line');
    edge.setAttribute('class', 'grid');
    edge.setAttribute('x1', String(LABEL_W - 0.5));
    edge.setAttribute('x2', String(LABEL_W - 0.5));
    edge.setAttribute('y1', '0');
    edge.setAttribute('y2', h);
    copy.appendChild(edge);
    chart.appendChild(copy);
    labels = copy;
    follow();
  }

  // A segment that starts under the pinned labels keeps its text in view: the text moves
  // to the labels' edge and is shortened to what is left of its segment (svg.ts puts the
  // segment's extent and the whole text in data-x0, data-x1, data-full).
  const CHAR_W = 0.6;
  function fitText(text, px, size) {
    const max = Math.floor(px / (size * CHAR_W));
    if (max <= 1) return '';
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
  }
  let texts = [];
  function collectTexts() {
    texts = Array.from(chart.querySelectorAll('svg.lifetimes text[data-full]')).map((el) => ({
      el,
      x0: Number(el.getAttribute('data-x0')),
      x1: Number(el.getAttribute('data-x1')),
      full: el.getAttribute('data-full') || '',
      size: el.classList.contains('seg-sub') ? 9.5 : 11,
      moved: false,
    }));
  }
  function stickTexts() {
    const edge = chart.scrollLeft + LABEL_W;
    for (const t of texts) {
      const under = t.x0 < edge && edge < t.x1 - 24;
      if (!under && !t.moved) continue;
      const x = under ? edge + 4 : t.x0 + 4;
      t.el.setAttribute('x', String(x));
      t.el.textContent = fitText(t.full, t.x1 - x - 4, t.size);
      t.moved = under;
    }
  }

  function follow() {
    if (labels) labels.style.transform = `translateX(${chart.scrollLeft}px)`;
    stickTexts();
  }

  // The extension decides where to scroll (client/logic/viewMessage.ts): it needs the
  // chart's width and scroll position.
  function viewport(type) {
    vscode.postMessage({ type, width: chart.clientWidth, scrollLeft: chart.scrollLeft });
  }
  let scrollTimer = 0;
  chart.addEventListener('scroll', () => {
    follow();
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => viewport('scroll'), 150);
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => viewport('resize'), 150);
  });

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.type !== 'update') return;
    title.textContent = m.title;
    status.textContent = m.status;
    document.title = m.title;
    legendCurrent.hidden = !(m.legend && m.legend.current);
    if (m.svg) {
      chart.innerHTML = m.svg;
      collectTexts();
      pinLabels();
    } else {
      chart.innerHTML = '';
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = m.empty || '';
      chart.appendChild(p);
    }
    faults.innerHTML = '';
    for (const f of m.faults || []) {
      const li = document.createElement('li');
      li.textContent = f.text;
      li.title = 'Show the statement';
      li.addEventListener('click', () => vscode.postMessage({ type: 'reveal', line: f.line }));
      faults.appendChild(li);
    }
    if (typeof m.scrollLeft === 'number') chart.scrollLeft = m.scrollLeft;
    follow();
  });

  viewport('ready');
})();
