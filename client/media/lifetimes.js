// The Lifetimes view's page script: receives the rendered SVG and the fault list from the
// extension and puts them in place, keeping the current stop in view.
(function () {
  const vscode = acquireVsCodeApi();
  const chart = document.getElementById('chart');
  const title = document.getElementById('title');
  const status = document.getElementById('status');
  const faults = document.getElementById('faults');

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

  function follow() {
    if (labels) labels.style.transform = `translateX(${chart.scrollLeft}px)`;
  }
  chart.addEventListener('scroll', follow);

  function keepCurrentInView() {
    const cur = chart.querySelector('rect.current');
    if (!cur) {
      chart.scrollLeft = chart.scrollWidth;
      return;
    }
    const x = Number(cur.getAttribute('x')) || 0;
    const w = Number(cur.getAttribute('width')) || 0;
    const left = chart.scrollLeft;
    const right = left + chart.clientWidth;
    if (x < left + LABEL_W || x + w > right) chart.scrollLeft = Math.max(0, x + w - chart.clientWidth + 40);
    follow();
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.type !== 'update') return;
    title.textContent = m.title;
    status.textContent = m.status;
    document.title = m.title;
    if (m.svg) {
      chart.innerHTML = m.svg;
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
    keepCurrentInView();
  });

  vscode.postMessage({ type: 'ready' });
})();
