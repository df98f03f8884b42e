// The script of gleak's HTML report (src/render/html_report.cc embeds it).
// It reads the report's JSON (gleak.report/v1 or gleak.diff/v1) from the
// element gleak-data (a script element of type application/json) and builds
// the page from it. Text
// from a dump only ever reaches the page as a text node or an attribute value
// (never as markup), so a function name cannot inject anything.
//
// The address's fragment holds the view, so that a view can be linked and
// tested: #pattern=chan-send&state=chan%20receive&func=main.&label=k%3Dv
// &suspects&sort=count-desc&open=GROUPID,GROUPID&all, and the spawn tree's
// folded nodes: &fold=GROUPID,GROUPID (the rest open), or &fold=all
// &unfold=GROUPID,GROUPID (the rest folded)
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var ROWS = 500; // rows drawn before "show all"
  var CARDS = 50; // suspect cards drawn before "show all"

  var data = JSON.parse(document.getElementById('gleak-data').textContent);
  var isDiff = data.schema === 'gleak.diff/v1';
  var groups = data.groups || [];
  var inputs = (isDiff ? data.snapshots : data.inputs) || [];

  // ---- small helpers --------------------------------------------------------

  function add(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      child.forEach(function (c) { add(node, c); });
    } else if (typeof child === 'string' || typeof child === 'number') {
      node.appendChild(document.createTextNode(String(child)));
    } else {
      node.appendChild(child);
    }
  }

  // el('tag', {class: 'x', 'data-y': 1, onclick: f}, children...)
  function el(tag, attrs) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    });
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many || one + 's');
  }

  function where(f) {
    return f ? (f.short_file || f.file) + ':' + f.line : '';
  }

  function topFunc(g) {
    return g.top_frame ? g.top_frame.func : '';
  }

  function isSuspect(g) {
    return isDiff ? !!g.suspect : !!g.finding.suspect;
  }

  function lastCount(g) {
    return isDiff ? g.counts[g.counts.length - 1] : g.count;
  }

  function waitText(g) {
    var w = g.wait_minutes;
    if (!w || (!w.min && !w.max)) return '';
    return w.min === w.max ? w.max + ' min' : w.min + '–' + w.max + ' min';
  }

  // "k=v" for every label of every listed set.
  function labelTexts(g) {
    var out = [];
    (g.labels || []).forEach(function (set) {
      Object.keys(set.labels).forEach(function (k) {
        var t = k + '=' + set.labels[k];
        if (out.indexOf(t) < 0) out.push(t);
      });
    });
    return out;
  }

  // A link that shows a group's stack in the table (and clears the filters,
  // so that the group is there); it keeps the spawn tree folded as it is.
  function openLink(id, text) {
    var href = '#open=' + encodeURIComponent(id);
    return el('a', { href: href, class: 'gid', onclick: function () {
      // Followed after this handler: the fold state as it is now.
      this.setAttribute('href', href + foldPart());
    } }, text || id);
  }

  // ---- the view's state, kept in the fragment ---------------------------------

  var view = { pattern: '', state: '', func: '', label: '', suspects: false,
               sort: isDiff ? 'growth-desc' : 'rank-asc', open: [], all: false,
               // The tree's nodes are open, but those in `folds`; with foldAll,
               // folded, but those in `folds`. A node is named by its group's id.
               foldAll: false, folds: [] };

  function readFragment() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    view.pattern = p.get('pattern') || '';
    view.state = p.get('state') || '';
    view.func = p.get('func') || '';
    view.label = p.get('label') || '';
    view.suspects = p.has('suspects');
    view.sort = p.get('sort') || (isDiff ? 'growth-desc' : 'rank-asc');
    view.open = (p.get('open') || '').split(',').filter(Boolean);
    view.all = p.has('all');
    view.foldAll = p.get('fold') === 'all';
    view.folds = (p.get(view.foldAll ? 'unfold' : 'fold') || '').split(',').filter(Boolean);
  }

  // The fold state as the fragment gives it: "&fold=..." or "".
  function foldPart() {
    var p = new URLSearchParams();
    if (view.foldAll) p.set('fold', 'all');
    if (view.folds.length) p.set(view.foldAll ? 'unfold' : 'fold', view.folds.join(','));
    var text = p.toString().replace(/%2C/g, ',');
    return text ? '&' + text : '';
  }

  function writeFragment() {
    var p = new URLSearchParams();
    ['pattern', 'state', 'func', 'label'].forEach(function (k) { if (view[k]) p.set(k, view[k]); });
    if (view.suspects) p.set('suspects', '');
    if (view.sort !== (isDiff ? 'growth-desc' : 'rank-asc')) p.set('sort', view.sort);
    if (view.open.length) p.set('open', view.open.join(','));
    if (view.all) p.set('all', '');
    // Commas as they are: a list of ids reads as one, and means the same.
    var text = (p.toString().replace(/=(&|$)/g, '$1') + foldPart()).replace(/%2C/g, ',')
      .replace(/^&/, '');
    try {
      history.replaceState(null, '', text ? '#' + text : location.pathname + location.search);
    } catch (e) {
      // Some browsers refuse replaceState on file: pages; the view still works.
    }
  }

  // ---- summary ----------------------------------------------------------------

  function stat(label, value, cls) {
    return el('div', { class: 'stat' + (cls ? ' ' + cls : '') },
      el('dt', null, label), el('dd', null, String(value)));
  }

  function summary() {
    var t = data.totals;
    var stats;
    if (isDiff) {
      var g = t.goroutines;
      stats = [
        stat('snapshots', inputs.length),
        stat('goroutines', g.length ? g[0] + ' → ' + g[g.length - 1] : 0),
        stat('growth', (t.growth > 0 ? '+' : '') + t.growth, t.growth > 0 ? 'bad' : ''),
        stat('groups', t.groups),
        stat('suspects', groups.filter(isSuspect).length, groups.some(isSuspect) ? 'bad' : 'good'),
        stat('grown / new', t.grown + ' / ' + t['new']),
        stat('shrunk / gone', t.shrunk + ' / ' + t.gone),
        stat('steady', t.steady)
      ];
    } else {
      stats = [
        stat('goroutines', t.goroutines),
        stat('groups', t.groups),
        stat('suspects', plural(t.suspect_groups, 'group') + ', ' + t.suspect_goroutines + ' goroutines',
          t.suspect_groups ? 'bad' : 'good'),
        stat('proven leaks', plural(t.proven_groups, 'group'), t.proven_groups ? 'bad' : ''),
        stat('shown', t.shown_groups + ' groups, ' + t.shown_goroutines + ' goroutines'),
        stat('hidden', t.hidden_groups + ' groups, ' + t.hidden_goroutines + ' goroutines'),
        stat('ignored', t.ignored_goroutines),
        stat('over --max-groups', t.overflow_goroutines)
      ];
    }
    var patterns = data.suspect_patterns || [];
    return el('section', { id: 'summary', 'aria-label': 'Summary' },
      el('dl', { class: 'stats' }, stats),
      patterns.length ? el('p', null, 'Suspect patterns: ',
        patterns.map(function (p, i) {
          return [i ? ', ' : '', el('a', { href: '#pattern=' + encodeURIComponent(p) + '&suspects' },
            el('code', null, p))];
        })) : el('p', { class: 'good' }, 'No suspects.'),
      inputTable(), watchPart());
  }

  function inputTable() {
    var rows = inputs.map(function (input, i) {
      var problems = [];
      if (input.error) problems.push(el('div', { class: 'bad' }, 'error: ', input.error));
      if (input.truncated) problems.push(el('div', { class: 'bad' }, 'truncated'));
      if (input.verdict) problems.push(el('div', null, 'verdict: ', input.verdict));
      if (input.panic_value !== null) {
        problems.push(el('div', { class: 'bad' }, 'panic: ', input.panic_value,
          input.panic_recovered ? ' (recovered)' : ''));
      }
      if (input.fatal_error) problems.push(el('div', { class: 'bad' }, 'fatal error: ', input.fatal_error));
      if (input.test_timeout) problems.push(el('div', null, 'test timeout: ', input.test_timeout));
      var warnings = input.warnings || [];
      if (warnings.length || input.warnings_not_listed) {
        problems.push(el('details', { class: 'warnings' },
          el('summary', null, plural(warnings.length + input.warnings_not_listed, 'warning')),
          el('ul', null, warnings.map(function (w) {
            return el('li', null, w.line !== null ? 'line ' + w.line + ': ' : '', w.message);
          })),
          input.warnings_not_listed ? el('p', null, input.warnings_not_listed + ' more not listed') : null));
      }
      return el('tr', null, el('td', { class: 'num' }, i + 1), el('td', { class: 'name' }, input.name),
        el('td', null, input.format + ', ' + input.producer + (input.encoding !== 'plain' ? ', ' + input.encoding : '')),
        el('td', { class: 'num' }, input.goroutines), el('td', null, problems.length ? problems : '—'));
    });
    return el('table', { class: 'inputs' },
      el('caption', null, isDiff ? 'Snapshots' : 'Inputs'),
      el('thead', null, el('tr', null, el('th', { scope: 'col' }, '#'), el('th', { scope: 'col' }, 'name'),
        el('th', { scope: 'col' }, 'format'), el('th', { scope: 'col' }, 'goroutines'),
        el('th', { scope: 'col' }, 'notes'))),
      el('tbody', null, rows));
  }

  function watchPart() {
    var w = data.watch;
    if (!w) return null;
    return el('div', { class: 'watch' },
      el('p', null, 'Watched ', el('code', null, w.url), ': ', plural(w.ticks, 'snapshot'), ' tried, ',
        w.failed_ticks, ' failed', w.gave_up ? '; gave up after too many failures in a row' : '', '.'),
      w.failures.length ? el('details', null, el('summary', null, 'Failed snapshots'),
        el('ul', null, w.failures.map(function (f) {
          return el('li', null, '#' + f.tick + ' ' + f.time + ': ' + f.error);
        })),
        w.failures_not_listed ? el('p', null, w.failures_not_listed + ' more not listed') : null) : null);
  }

  // ---- charts (diff and watch) ------------------------------------------------

  // A line chart of `series` ([{name, values}]) over the snapshots.
  function chart(series, title) {
    var n = inputs.length;
    var W = 640, H = 220, L = 48, R = 12, T = 12, B = 28;
    var max = 1;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v > max) max = v; }); });
    var x = function (i) { return n > 1 ? L + (i * (W - L - R)) / (n - 1) : L + (W - L - R) / 2; };
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    var parts = [svg('title', null, title)];
    [0, 0.5, 1].forEach(function (f) {
      var v = Math.round(max * f);
      parts.push(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
      parts.push(svg('text', { x: L - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, String(v)));
    });
    for (var i = 0; i < n; i++) {
      parts.push(svg('text', { x: x(i), y: H - 8, class: 'axis', 'text-anchor': 'middle' }, String(i + 1)));
    }
    series.forEach(function (s, k) {
      var points = s.values.map(function (v, i) { return x(i) + ',' + y(v); }).join(' ');
      parts.push(svg('polyline', { points: points, class: 'series s' + (k % 8) }));
      s.values.forEach(function (v, i) {
        parts.push(svg('circle', { cx: x(i), cy: y(v), r: 3, class: 'dot s' + (k % 8) },
          svg('title', null, s.name + ': ' + v + ' in snapshot ' + (i + 1))));
      });
    });
    return el('figure', { class: 'chart' },
      svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title }, parts),
      el('figcaption', null, el('ul', { class: 'legend' }, series.map(function (s, k) {
        return el('li', null, el('span', { class: 'swatch s' + (k % 8) }), s.name);
      }))));
  }

  function sparkline(values) {
    var W = 80, H = 18, max = 1;
    values.forEach(function (v) { if (v > max) max = v; });
    var n = values.length;
    var points = values.map(function (v, i) {
      return (n > 1 ? (i * (W - 2)) / (n - 1) + 1 : W / 2) + ',' + (H - 1 - ((H - 2) * v) / max);
    }).join(' ');
    return svg('svg', { class: 'spark', viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'aria-hidden': 'true' },
      svg('polyline', { points: points }));
  }

  function diffCharts() {
    if (!isDiff) return null;
    var growing = groups.filter(function (g) { return g.growth > 0; }).slice(0, 7);
    var series = [{ name: 'all goroutines', values: data.totals.goroutines }].concat(growing.map(function (g) {
      return { name: '#' + g.rank + ' ' + topFunc(g) + ' (' + g.state + ')', values: g.counts };
    }));
    return el('section', { id: 'growth', 'aria-labelledby': 'growth-h' },
      el('h2', { id: 'growth-h' }, 'Goroutines per snapshot'),
      chart(series, 'Goroutines per snapshot: all, and the groups that grew most'));
  }

  // ---- suspects -----------------------------------------------------------------

  function snippet(s) {
    var lines = s.lines.map(function (text, i) {
      var n = s.first_line + i;
      return el('span', { class: 'src-line' + (n === s.line ? ' hit' : '') },
        el('span', { class: 'ln', 'aria-hidden': 'true' }, String(n)), text + '\n');
    });
    return el('figure', { class: 'snippet' },
      el('figcaption', null, s.role, ': ', el('code', null, (s.file || '') + ':' + s.line),
        s.origin ? ' (from ' + s.origin + ')' : ''),
      el('pre', null, el('code', null, lines)));
  }

  function suspectCard(g) {
    var f = g.finding;
    return el('article', { class: 'suspect', id: 'suspect-' + g.id },
      el('h3', null, el('span', { class: 'count' }, String(lastCount(g))), ' × ', f.title || f.pattern),
      el('p', { class: 'meta' },
        el('span', { class: 'badge' }, f.pattern), ' ',
        el('span', { class: 'badge' }, f.confidence + ' confidence'), ' ',
        f.proven ? el('span', { class: 'badge bad' }, 'proven leak') : null, ' ',
        'state ', el('code', null, g.state), ' · blocks in ', el('code', null, topFunc(g)),
        ' at ', el('code', null, where(g.top_frame)), ' · group ', openLink(g.id)),
      isDiff ? el('div', { class: 'growth' }, sparkline(g.counts), ' ', g.counts.join(' → '),
        ' (', (g.growth > 0 ? '+' : '') + g.growth, ')') : null,
      el('p', { class: 'why' }, el('strong', null, 'Why: '),
        isDiff ? g.suspect_reason : f.suspect_reason, f.reason ? ' — ' + f.reason : ''),
      f.evidence.length ? el('div', null, el('strong', null, 'Evidence'),
        el('ul', { class: 'evidence' }, f.evidence.map(function (e) {
          return el('li', null, el('span', { class: 'kind' }, e.kind), ' ', e.text);
        }))) : null,
      g.object_facts && g.object_facts.text ? el('p', null, el('strong', null, 'Blocking object: '), g.object_facts.text) : null,
      f.explanation ? el('p', null, f.explanation) : null,
      f.fix ? el('p', { class: 'fix' }, el('strong', null, 'Fix: '), f.fix) : null,
      f.source.map(snippet),
      g.creators.length ? el('p', null, 'Created by ', g.creators.map(function (c, i) {
        return [i ? ', ' : '', el('code', null, c.func), ' at ', el('code', null, where(c)), ' (' + c.count + ')'];
      })) : null);
  }

  function suspects() {
    var list = groups.filter(isSuspect);
    if (!list.length) return null;
    var section = el('section', { id: 'suspects', 'aria-labelledby': 'suspects-h' },
      el('h2', { id: 'suspects-h' }, plural(list.length, 'suspect')));
    var shown = view.all ? list : list.slice(0, CARDS);
    add(section, shown.map(suspectCard));
    if (shown.length < list.length) {
      add(section, el('p', null, (list.length - shown.length) + ' more suspects: ',
        el('a', { href: '#suspects&all' }, 'list them all in the table')));
    }
    return section;
  }

  // ---- blocking objects -------------------------------------------------------------

  function objects() {
    var list = data.objects || [];
    if (!list.length) return null;
    return el('section', { id: 'objects', 'aria-labelledby': 'objects-h' },
      el('h2', { id: 'objects-h' }, 'Blocking objects'),
      el('table', { class: 'objects' },
        el('thead', null, el('tr', null, ['object', 'kind', 'address', 'waiters', 'groups waiting', 'what it means']
          .map(function (h) { return el('th', { scope: 'col' }, h); }))),
        el('tbody', null, list.map(function (o) {
          return el('tr', { id: 'object-' + o.id },
            el('td', null, el('code', null, o.id)), el('td', null, o.kind), el('td', null, el('code', null, o.address)),
            el('td', { class: 'num' }, o.waiters),
            el('td', null, o.waiting.map(function (w, i) {
              return [i ? ', ' : '', openLink(w.group), ' ' + w.direction + ' (' + w.count + ')'];
            })),
            el('td', null, o.text));
        }))),
      data.objects_not_listed ? el('p', null, data.objects_not_listed + ' more objects not listed') : null);
  }

  // ---- the spawn tree ---------------------------------------------------------------

  // The report's rows come in display order, each followed by its subtree, and
  // say how many rows lie directly under them (`children`): nested lists are
  // laid out from that without recursion, so a long chain of groups cannot
  // exhaust the script's stack. A row with children has a button that folds
  // them; the fold state is kept in the address (view.foldAll, view.folds),
  // and the table's filters also apply to the tree (applyTreeFilter).
  var treeNodes = []; // in display order: {group, li, kids, button, children}
  var treeFoot = null;

  function setFolded(n, folded) {
    n.kids.hidden = folded;
    n.button.setAttribute('aria-expanded', folded ? 'false' : 'true');
    n.button.setAttribute('title', folded ? 'Show the groups it created' : 'Hide the groups it created');
    n.button.textContent = folded ? '▸' : '▾';
  }

  function isFolded(id) {
    return view.foldAll !== (view.folds.indexOf(id) >= 0);
  }

  function applyFolds() {
    treeNodes.forEach(function (n) { if (n.kids) setFolded(n, isFolded(n.group.id)); });
  }

  function toggleFold(id) {
    var at = view.folds.indexOf(id);
    if (at >= 0) view.folds.splice(at, 1);
    else view.folds.push(id);
    writeFragment();
    treeNodes.forEach(function (n) { if (n.kids && n.group.id === id) setFolded(n, isFolded(id)); });
  }

  // A diff's row: how its count changed since the first snapshot, when it did.
  function treeGrowth(r) {
    if (!isDiff || r.growth === null || r.growth === undefined || r.growth === 0) return null;
    return [' ', el('span', { class: 'delta' + (r.growth > 0 ? ' bad' : '') },
      '(' + r.old_count + ' → ' + r.count + ', ' + (r.growth > 0 ? '+' : '') + r.growth + ')')];
  }

  function treeNode(r, i) {
    var g = groups[r.rank - 1];
    var top = g.top_frame ? g.top_frame.func : '(no frames)';
    var total = lastCount(g);
    var count = r.depth > 0 && r.count !== total ? r.count + ' of ' + total : String(total);
    var n = { group: g, li: null, kids: null, button: null, children: [] };
    if (r.children) {
      n.kids = el('ul', { id: 'tree-kids-' + i, role: 'group' });
      n.button = el('button', { type: 'button', class: 'fold', 'aria-expanded': 'true',
        'aria-controls': n.kids.id, onclick: function () { toggleFold(g.id); } });
      setFolded(n, isFolded(g.id));
    }
    n.li = el('li', { 'data-depth': r.depth, 'data-tree-group': g.id },
      n.button || el('span', { class: 'fold-space', 'aria-hidden': 'true' }),
      el('span', { class: 'num' }, count), treeGrowth(r), ' ', openLink(g.id, top),
      r.repeat ? ' (shown above)' : [' · ', g.state || 'no state', ' · ', g.finding.pattern,
        isSuspect(g) ? ' · suspect' : '',
        labelTexts(g).length ? [' · ', el('code', { class: 'labels' }, labelTexts(g).join(' '))] : '',
        g.spawned_by_exited ? ' · ' + g.spawned_by_exited + ' created by ' +
          plural(g.exited_parents, 'goroutine') + ' that ' + (g.exited_parents === 1 ? 'has' : 'have') + ' exited' : ''],
      n.kids);
    return n;
  }

  function foldAll(folded) {
    view.foldAll = folded;
    view.folds = [];
    writeFragment();
    applyFolds();
  }

  function spawnTree() {
    var rows = data.spawn_tree || [];
    var linked = rows.some(function (r) {
      return r.depth > 0 || groups[r.rank - 1].spawned_by_exited > 0;
    });
    if (!linked) return null;
    var list = el('ul', { class: 'tree', id: 'tree-list' });
    var open = []; // rows whose children are still to come: {node, left}
    rows.forEach(function (r, i) {
      var n = treeNode(r, i);
      treeNodes.push(n);
      if (!open.length) {
        list.appendChild(n.li);
      } else {
        var parent = open[open.length - 1];
        parent.node.kids.appendChild(n.li);
        parent.node.children.push(n);
        if (--parent.left === 0) open.pop();
      }
      if (r.children && !r.repeat) open.push({ node: n, left: r.children });
    });
    treeFoot = el('p', { id: 'tree-foot', class: 'sub', 'aria-live': 'polite' });
    return el('section', { id: 'tree', 'aria-labelledby': 'tree-h' },
      el('h2', { id: 'tree-h' }, 'Spawn tree'),
      el('p', { class: 'sub' }, isDiff
        ? 'Each group of the newest snapshot under the group whose goroutines created it (parent ids, ' +
          'Go 1.21+), with how its count changed since the first snapshot'
        : 'Each group under the group whose goroutines created it (parent ids, Go 1.21+)',
        data.spawn_sample_level ? '; counts estimated from a sample of parent ids' : '',
        '. The filters of the group table apply here too.'),
      el('p', { class: 'tree-tools' },
        el('button', { type: 'button', id: 'tree-unfold', onclick: function () { foldAll(false); } }, 'Expand all'), ' ',
        el('button', { type: 'button', id: 'tree-fold', onclick: function () { foldAll(true); } }, 'Collapse all')),
      list, treeFoot);
  }

  // With a filter set, the tree keeps the groups that match and the groups
  // above them (dimmed, for context); a subtree with no match is hidden.
  function applyTreeFilter() {
    if (!treeNodes.length) return;
    var filtering = !!(view.pattern || view.state || view.func || view.label || view.suspects);
    var matching = 0;
    // Children come after their parent: walking backwards settles them first.
    for (var i = treeNodes.length - 1; i >= 0; i--) {
      var n = treeNodes[i];
      var self = !filtering || matches(n.group);
      n.any = self || n.children.some(function (c) { return c.any; });
      n.li.hidden = !n.any;
      if (filtering && !self && n.any) n.li.classList.add('context');
      else n.li.classList.remove('context');
      if (self) matching++;
    }
    treeFoot.textContent = filtering
      ? matching + ' of ' + plural(treeNodes.length, 'row') + ' match the filters.' : '';
  }

  // ---- the group table --------------------------------------------------------------

  var COLUMNS = [
    { key: 'rank', name: '#', num: true, value: function (g) { return g.rank; } },
    { key: 'count', name: isDiff ? 'count' : 'goroutines', num: true, value: lastCount },
    isDiff ? { key: 'growth', name: 'growth', num: true, value: function (g) { return g.growth; } } : null,
    { key: 'state', name: 'state', value: function (g) { return g.state; } },
    { key: 'pattern', name: 'pattern', value: function (g) { return g.finding.pattern; } },
    { key: 'func', name: 'function', value: topFunc },
    { key: 'wait', name: 'wait', num: true, value: function (g) { return g.wait_minutes ? g.wait_minutes.max : 0; } },
    { key: 'labels', name: 'labels', value: function (g) { return labelTexts(g).join(' '); } }
  ].filter(Boolean);

  var tableBody, tableFoot, controls, headButtons = {};

  function matches(g) {
    if (view.pattern && g.finding.pattern !== view.pattern) return false;
    if (view.state && g.state !== view.state) return false;
    if (view.suspects && !isSuspect(g)) return false;
    if (view.func) {
      var needle = view.func.toLowerCase();
      var hit = g.frames.some(function (f) { return f.func.toLowerCase().indexOf(needle) >= 0; });
      if (!hit) return false;
    }
    if (view.label) {
      var want = view.label.toLowerCase();
      if (!labelTexts(g).some(function (t) { return t.toLowerCase().indexOf(want) >= 0; })) return false;
    }
    return true;
  }

  function sorted(list) {
    var m = /^(\w+)-(asc|desc)$/.exec(view.sort) || [null, view.sort, null];
    var col = COLUMNS.filter(function (c) { return c.key === m[1]; })[0] || COLUMNS[0];
    var dir = m[2] || (col.num && col.key !== 'rank' ? 'desc' : 'asc');
    var sign = dir === 'desc' ? -1 : 1;
    return list.slice().sort(function (a, b) {
      var x = col.value(a), y = col.value(b);
      // Strings by code unit, not by locale: the same order in every browser.
      var c = col.num ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      return c !== 0 ? sign * c : a.rank - b.rank;
    });
  }

  function stack(g) {
    return el('div', { class: 'stack' },
      el('ol', { class: 'frames' }, g.frames.map(function (f) {
        var top = g.top_frame && f.func === g.top_frame.func && f.line === g.top_frame.line;
        return el('li', { class: top ? 'top' : null },
          el('code', { class: 'func' }, f.func), f.inlined ? ' (inlined)' : '', el('br'),
          el('code', { class: 'file' }, f.file + ':' + f.line));
      })),
      g.creators.length ? el('p', null, 'created by ', g.creators.map(function (c, i) {
        return [i ? '; ' : '', el('code', null, c.func), ' at ', el('code', null, where(c)), ' (' + c.count + ')'];
      }), g.creators_not_listed ? '; ' + g.creators_not_listed + ' more' : '') : null,
      g.labels.length ? el('p', null, 'labels: ', g.labels.map(function (set, i) {
        return [i ? '; ' : '', el('code', null, Object.keys(set.labels).map(function (k) {
          return k + '=' + set.labels[k];
        }).join(' ')), ' (' + set.count + ')'];
      }), g.labels_not_listed ? '; ' + g.labels_not_listed + ' more with other labels' : '') : null,
      el('p', null, g.finding.title ? g.finding.title + '. ' : '', g.finding.reason || '',
        isDiff ? ' Counts per snapshot: ' + g.counts.join(', ') + '.' : '',
        g.sample_ids.length ? ' Goroutines ' + g.sample_ids.join(', ') + (g.count > g.sample_ids.length ? ', …' : '') + '.' : ''),
      g.objects.length ? el('p', null, 'objects: ', g.objects.map(function (o, i) {
        return [i ? ', ' : '', el('a', { href: '#object-' + o.object }, el('code', null, o.object)),
          ' ' + o.direction + ' (' + o.count + ')'];
      })) : null);
  }

  function toggle(id) {
    var at = view.open.indexOf(id);
    if (at >= 0) view.open.splice(at, 1);
    else view.open.push(id);
    writeFragment();
    drawRows();
    // The rows were drawn anew: keep the keyboard on the same group's button.
    var again = document.getElementById('group-' + id);
    if (again) again.querySelector('button.expand').focus();
  }

  function row(g) {
    var open = view.open.indexOf(g.id) >= 0;
    var cells = COLUMNS.map(function (c) {
      var v = c.value(g);
      if (c.key === 'count' && isDiff) {
        return el('td', { class: 'num' }, sparkline(g.counts), ' ', String(v));
      }
      if (c.key === 'growth') return el('td', { class: 'num' + (v > 0 ? ' bad' : '') }, (v > 0 ? '+' : '') + v);
      if (c.key === 'func') {
        return el('td', { class: 'func' }, el('code', null, v), el('br'),
          el('span', { class: 'file' }, where(g.top_frame)));
      }
      if (c.key === 'wait') return el('td', { class: 'num' }, waitText(g));
      if (c.key === 'pattern') {
        return el('td', null, v, isSuspect(g) ? el('span', { class: 'badge bad' }, 'suspect') : null,
          g.finding.proven ? el('span', { class: 'badge bad' }, 'proven') : null);
      }
      return el('td', { class: c.num ? 'num' : null }, String(v));
    });
    var button = el('button', { type: 'button', class: 'expand', 'aria-expanded': open ? 'true' : 'false',
      'aria-controls': 'stack-' + g.id, title: 'Show the stack', onclick: function () { toggle(g.id); } },
      open ? '▾' : '▸');
    var rows = [el('tr', { id: 'group-' + g.id, 'data-group': g.id, class: isSuspect(g) ? 'is-suspect' : null },
      el('td', { class: 'toggle' }, button), cells)];
    if (open) {
      rows.push(el('tr', { class: 'stack-row', id: 'stack-' + g.id },
        el('td', { colspan: COLUMNS.length + 1 }, stack(g))));
    }
    return rows;
  }

  function drawRows() {
    var list = sorted(groups.filter(matches));
    var shown = view.all ? list : list.slice(0, ROWS);
    var body = el('tbody', { id: 'group-rows' }, shown.map(row));
    tableBody.parentNode.replaceChild(body, tableBody);
    tableBody = body;
    tableFoot.textContent = '';
    add(tableFoot, ['Showing ', String(shown.length), ' of ', plural(list.length, 'matching group'),
      ' (', String(groups.length), ' in all).']);
    if (shown.length < list.length) {
      add(tableFoot, [' ', el('button', { type: 'button', onclick: function () {
        view.all = true; writeFragment(); drawRows();
      } }, 'Show all')]);
    }
    var table = document.getElementById('groups-table');
    applyTreeFilter();
    table.setAttribute('data-shown', String(shown.length));
    table.setAttribute('data-matching', String(list.length));
    COLUMNS.forEach(function (c) {
      var th = headButtons[c.key].parentNode;
      var m = /^(\w+)-(asc|desc)$/.exec(view.sort);
      var key = m ? m[1] : view.sort;
      if (key === c.key) {
        var dir = m ? m[2] : (c.num && c.key !== 'rank' ? 'desc' : 'asc');
        th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending');
      } else {
        th.removeAttribute('aria-sort');
      }
    });
  }

  function options(values, all) {
    var counts = {};
    values.forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
    return [el('option', { value: '' }, all)].concat(Object.keys(counts).sort().map(function (v) {
      return el('option', { value: v }, v + ' (' + counts[v] + ')');
    }));
  }

  function syncControls() {
    controls.pattern.value = view.pattern;
    controls.state.value = view.state;
    controls.func.value = view.func;
    controls.label.value = view.label;
    controls.suspects.checked = view.suspects;
  }

  function groupTable() {
    function changed() {
      view.pattern = controls.pattern.value;
      view.state = controls.state.value;
      view.func = controls.func.value;
      view.label = controls.label.value;
      view.suspects = controls.suspects.checked;
      writeFragment();
      drawRows();
    }
    controls = {
      pattern: el('select', { id: 'f-pattern', onchange: changed },
        options(groups.map(function (g) { return g.finding.pattern; }), 'any pattern')),
      state: el('select', { id: 'f-state', onchange: changed },
        options(groups.map(function (g) { return g.state; }), 'any state')),
      func: el('input', { id: 'f-func', type: 'search', placeholder: 'part of a function name', oninput: changed }),
      label: el('input', { id: 'f-label', type: 'search', placeholder: 'key=value', oninput: changed }),
      suspects: el('input', { id: 'f-suspects', type: 'checkbox', onchange: changed })
    };
    var head = el('tr', null, el('th', { scope: 'col' }, el('span', { class: 'sr' }, 'stack')),
      COLUMNS.map(function (c) {
        var b = el('button', { type: 'button', class: 'sort', 'data-sort': c.key, onclick: function () {
          var m = /^(\w+)-(asc|desc)$/.exec(view.sort);
          var key = m ? m[1] : view.sort;
          var dir = key === c.key ? (m && m[2] === 'asc' ? 'desc' : m && m[2] === 'desc' ? 'asc'
            : c.num && c.key !== 'rank' ? 'asc' : 'desc') : (c.num && c.key !== 'rank' ? 'desc' : 'asc');
          view.sort = c.key + '-' + dir;
          writeFragment();
          drawRows();
        } }, c.name);
        headButtons[c.key] = b;
        return el('th', { scope: 'col', class: c.num ? 'num' : null }, b);
      }));
    tableBody = el('tbody', { id: 'group-rows' });
    tableFoot = el('p', { id: 'groups-foot', 'aria-live': 'polite' });
    return el('section', { id: 'groups', 'aria-labelledby': 'groups-h' },
      el('h2', { id: 'groups-h' }, 'Groups'),
      el('form', { class: 'filters', role: 'search', onsubmit: function (e) { e.preventDefault(); } },
        el('label', null, 'Pattern ', controls.pattern),
        el('label', null, 'State ', controls.state),
        el('label', null, 'Function ', controls.func),
        el('label', null, 'Label ', controls.label),
        el('label', null, controls.suspects, ' suspects only')),
      el('table', { id: 'groups-table', class: 'groups' }, el('thead', null, head), tableBody),
      tableFoot);
  }

  // ---- the page -------------------------------------------------------------------

  function openFromFragment() {
    if (!view.open.length) return;
    var target = document.getElementById('group-' + view.open[view.open.length - 1]);
    if (target) target.scrollIntoView({ block: 'start' });
  }

  readFragment();
  var where_ = inputs.length === 1 ? inputs[0].name : plural(inputs.length, isDiff ? 'snapshot' : 'input');
  document.title = 'gleak ' + (isDiff ? (data.watch ? 'watch' : 'diff') : 'report') + ': ' + where_;
  var app = document.getElementById('app');
  add(app, [
    el('header', null,
      el('h1', null, 'gleak ', isDiff ? (data.watch ? 'watch' : 'diff') : 'report'),
      el('p', { class: 'sub' }, where_, ' · grouped by ', data.group_by,
        data.merged ? ' (merged)' : '', ' · gleak ', data.tool.version)),
    summary(), diffCharts(), suspects(), objects(), spawnTree(), groupTable()
  ]);
  syncControls();
  drawRows();
  openFromFragment();
  window.addEventListener('hashchange', function () {
    readFragment();
    syncControls();
    applyFolds();
    drawRows();
    openFromFragment();
  });
  // When the page was drawn, in milliseconds from the start of its loading
  // (bench/html_report reads it).
  document.documentElement.setAttribute('data-drawn-ms', String(Math.round(performance.now())));
  document.documentElement.setAttribute('data-ready', 'true');
})();
