/**
 * A layered (Sugiyama-style) layout of the task DAG, drawn top to bottom: layers by longest path from the
 * sources, long edges routed through dummy points, order within a layer by barycentre sweeps, and x positions
 * pulled toward each node's neighbours without overlap. Pure: positions only; the page draws the SVG.
 * @module
 */

/** A node to lay out: its id, width, and the ids it depends on. */
export interface DagInput {
  id: string;
  width: number;
  inputs: string[];
}

/** A placed node (x, y: its centre). */
export interface DagNode {
  id: string;
  layer: number;
  x: number;
  y: number;
  width: number;
}

/** A placed edge: the points it passes through, from the input's bottom to the dependent's top. */
export interface DagEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

/** The layout. */
export interface DagLayout {
  nodes: DagNode[];
  edges: DagEdge[];
  width: number;
  height: number;
}

/** Spacing of the layout. */
export interface DagOptions {
  nodeHeight?: number;
  layerGap?: number;
  nodeGap?: number;
  margin?: number;
}

interface Item {
  id: string;
  width: number;
  dummy: boolean;
  x: number;
  up: Item[];
  down: Item[];
}

/** Lays out `tasks` (inputs naming tasks that are not in the list are ignored). */
export function layoutDag(tasks: readonly DagInput[], opts: DagOptions = {}): DagLayout {
  const nodeHeight = opts.nodeHeight ?? 44;
  const layerGap = opts.layerGap ?? 40;
  const nodeGap = opts.nodeGap ?? 16;
  const margin = opts.margin ?? 8;
  const byId = new Map(tasks.map((t) => [t.id, t]));

  // Layers: longest path from a source.
  const layerOf = new Map<string, number>();
  const visiting = new Set<string>();
  const layer = (id: string): number => {
    const known = layerOf.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`The task graph has a cycle through ${id}`);
    visiting.add(id);
    const ins = byId.get(id)!.inputs.filter((i) => byId.has(i));
    const l = ins.length ? Math.max(...ins.map(layer)) + 1 : 0;
    visiting.delete(id);
    layerOf.set(id, l);
    return l;
  };
  tasks.forEach((t) => layer(t.id));
  const nLayers = Math.max(0, ...layerOf.values()) + 1;
  const layers: Item[][] = Array.from({ length: nLayers }, () => []);
  const items = new Map<string, Item>();
  for (const t of tasks) {
    const it: Item = { id: t.id, width: t.width, dummy: false, x: 0, up: [], down: [] };
    items.set(t.id, it);
    layers[layerOf.get(t.id)!].push(it);
  }

  // Edges, split into unit-length segments by dummy points.
  const chains: { from: string; to: string; path: Item[] }[] = [];
  for (const t of tasks) {
    for (const input of new Set(t.inputs)) {
      if (!byId.has(input)) continue;
      const a = items.get(input)!;
      const b = items.get(t.id)!;
      const path = [a];
      for (let l = layerOf.get(input)! + 1; l < layerOf.get(t.id)!; l++) {
        const d: Item = { id: `${input}→${t.id}@${l}`, width: 6, dummy: true, x: 0, up: [], down: [] };
        layers[l].push(d);
        path.push(d);
      }
      path.push(b);
      for (let i = 1; i < path.length; i++) {
        path[i - 1].down.push(path[i]);
        path[i].up.push(path[i - 1]);
      }
      chains.push({ from: input, to: t.id, path });
    }
  }

  // Order within layers: barycentre sweeps down and up.
  const pos = new Map<Item, number>();
  const index = () => layers.forEach((l) => l.forEach((it, i) => pos.set(it, i)));
  index();
  const bary = (it: Item, side: Item[]) =>
    side.length ? side.reduce((s, o) => s + pos.get(o)!, 0) / side.length : pos.get(it)!;
  for (let sweep = 0; sweep < 8; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? layers.map((_, i) => i).slice(1) : layers.map((_, i) => i).reverse().slice(1);
    for (const l of order) {
      const keyed = layers[l].map((it) => ({ it, k: bary(it, down ? it.up : it.down) }));
      keyed.sort((a, b) => a.k - b.k || pos.get(a.it)! - pos.get(b.it)!);
      layers[l] = keyed.map((x) => x.it);
      layers[l].forEach((it, i) => pos.set(it, i));
    }
  }

  // x positions: pack each layer, then relax toward neighbours keeping order and gaps.
  const gap = (a: Item, b: Item) => (a.width + b.width) / 2 + (a.dummy && b.dummy ? nodeGap / 2 : nodeGap);
  for (const l of layers) {
    let x = 0;
    l.forEach((it, i) => {
      if (i > 0) x += gap(l[i - 1], it);
      it.x = x;
    });
    const shift = x / 2;
    l.forEach((it) => (it.x -= shift));
  }
  /** Moves a layer's items as close to `want` as order and gaps allow (isotonic regression, PAVA). */
  const place = (l: Item[], want: number[]) => {
    const offset = [0];
    for (let k = 1; k < l.length; k++) offset.push(offset[k - 1] + gap(l[k - 1], l[k]));
    const blocks: { sum: number; n: number }[] = [];
    want.forEach((w, k) => {
      blocks.push({ sum: w - offset[k], n: 1 });
      while (blocks.length > 1) {
        const b = blocks[blocks.length - 1];
        const a = blocks[blocks.length - 2];
        if (a.sum / a.n <= b.sum / b.n) break;
        blocks.pop();
        a.sum += b.sum;
        a.n += b.n;
      }
    });
    let k = 0;
    for (const b of blocks) {
      for (let j = 0; j < b.n; j++, k++) l[k].x = b.sum / b.n + offset[k];
    }
  };
  for (let iter = 0; iter < 12; iter++) {
    const down = iter % 2 === 0;
    const order = down ? layers.map((_, i) => i) : layers.map((_, i) => i).reverse();
    for (const li of order) {
      const l = layers[li];
      const want = l.map((it) => {
        const ns = [...(down ? it.up : it.down), ...(iter > 3 ? (down ? it.down : it.up) : [])];
        return ns.length ? ns.reduce((s, o) => s + o.x, 0) / ns.length : it.x;
      });
      place(l, want);
    }
  }

  // Normalise to the margin.
  let minX = Infinity;
  let maxX = -Infinity;
  for (const l of layers) {
    for (const it of l) {
      minX = Math.min(minX, it.x - it.width / 2);
      maxX = Math.max(maxX, it.x + it.width / 2);
    }
  }
  if (!Number.isFinite(minX)) minX = maxX = 0;
  const yOf = (l: number) => margin + nodeHeight / 2 + l * (nodeHeight + layerGap);
  const X = (it: Item) => it.x - minX + margin;
  const nodes: DagNode[] = [];
  layers.forEach((l, li) =>
    l.filter((it) => !it.dummy).forEach((it) =>
      nodes.push({ id: it.id, layer: li, x: X(it), y: yOf(li), width: it.width })
    )
  );
  // Ports: a node's incoming (outgoing) edges spread over its top (bottom) edge, ordered by where they come
  // from (go to), so that edges into a node with many inputs do not pile up on one point.
  const port = new Map<string, number>();
  const spread = (node: Item, ends: { key: string; x: number }[]) => {
    ends.sort((a, b) => a.x - b.x);
    const span = Math.min(node.width * 0.7, (ends.length - 1) * 14);
    ends.forEach((e, i) =>
      port.set(e.key, X(node) + (ends.length > 1 ? (i / (ends.length - 1) - 0.5) * span : 0))
    );
  };
  for (const l of layers) {
    for (const it of l) {
      if (it.dummy) continue;
      const ins = chains.filter((c) => c.path[c.path.length - 1] === it);
      spread(it, ins.map((c) => ({ key: `in:${c.from}→${c.to}`, x: X(c.path[c.path.length - 2]) })));
      const outs = chains.filter((c) => c.path[0] === it);
      spread(it, outs.map((c) => ({ key: `out:${c.from}→${c.to}`, x: X(c.path[1]) })));
    }
  }
  const edges: DagEdge[] = chains.map((c) => {
    const points: { x: number; y: number }[] = [];
    c.path.forEach((it, i) => {
      const y = yOf(layerOf.get(c.from)! + i);
      if (i === 0) points.push({ x: port.get(`out:${c.from}→${c.to}`)!, y: y + nodeHeight / 2 });
      else if (i === c.path.length - 1) {
        points.push({ x: port.get(`in:${c.from}→${c.to}`)!, y: y - nodeHeight / 2 });
      } else {
        // Straight down through a layer it passes, so it bends only between layers.
        points.push({ x: X(it), y: y - nodeHeight / 2 }, { x: X(it), y: y + nodeHeight / 2 });
      }
    });
    return { from: c.from, to: c.to, points };
  });
  return {
    nodes,
    edges,
    width: maxX - minX + 2 * margin,
    height: 2 * margin + nLayers * nodeHeight + Math.max(0, nLayers - 1) * layerGap,
  };
}

/** An SVG path through `points`: vertical cubic segments between consecutive points (straight when vertical). */
export function edgePath(points: readonly { x: number; y: number }[]): string {
  const f = (v: number) => Math.round(v * 10) / 10;
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const my = (a.y + b.y) / 2;
    if (Math.abs(a.x - b.x) < 0.05) d += ` L${f(b.x)},${f(b.y)}`;
    else d += ` C${f(a.x)},${f(my)} ${f(b.x)},${f(my)} ${f(b.x)},${f(b.y)}`;
  }
  return d;
}
