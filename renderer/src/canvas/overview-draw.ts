/**
 * Draws an overview scene (overview-scene.ts) on a 2D canvas at React Flow's transform: group frames, wires in one
 * path, node bodies in one path, colour stripes one path per colour, then outlines and status dots. A few dozen
 * canvas calls a frame whatever the number of nodes; only what is in view is added to the paths.
 */
import { controlOffset, type Scene, type SceneBox } from './overview-scene.js';

export interface View {
  /** React Flow's transform: translate x, y and zoom. */
  x: number;
  y: number;
  zoom: number;
  /** The pane's size in CSS pixels. */
  width: number;
  height: number;
  dpr: number;
}

export interface Drawn {
  nodes: number;
  wires: number;
}

const COLORS = {
  body: '#ffffff',
  border: '#cfd4db',
  wire: '#98a2b3',
  accent: '#2f6fdf',
  danger: '#d64545',
  dangerTint: 'rgb(214 69 69 / 35%)',
  success: '#2f9e6e',
  warning: '#d9822b',
  muted: 'rgb(244 245 247 / 70%)',
  text: '#1f2933',
  commentBody: '#fff8d6',
  commentBorder: '#c9b458',
};
const STRIPE = 30;
/** Captions are drawn from this zoom on (below it they would be a few pixels tall). */
const CAPTION_MIN_ZOOM = 0.2;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function inView(b: SceneBox, x0: number, y0: number, x1: number, y1: number): boolean {
  return b.x < x1 && b.x + b.width > x0 && b.y < y1 && b.y + b.height > y0;
}

function truncated(text: string, maxChars: number): string {
  if (maxChars < 2) return '';
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** Draws `scene` and returns how many flow nodes and wires were in view. `hovered`: a node to name on screen. */
export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, v: View, hovered?: SceneBox): Drawn {
  const { zoom, dpr } = v;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * v.x, dpr * v.y);
  // The view in flow coordinates.
  const x0 = -v.x / zoom;
  const y0 = -v.y / zoom;
  const x1 = x0 + v.width / zoom;
  const y1 = y0 + v.height / zoom;
  const px = 1 / zoom;

  const visible: SceneBox[] = [];
  let nodes = 0;
  for (const b of scene.boxes) {
    if (!inView(b, x0, y0, x1, y1)) continue;
    visible.push(b);
    if (b.kind === 'node') nodes++;
  }

  // Group frames: tinted, outlined in their colour, under everything else.
  for (const b of visible) {
    if (b.kind !== 'group') continue;
    ctx.globalAlpha = 0.08;
    ctx.fillStyle = b.color;
    ctx.fillRect(b.x, b.y, b.width, b.height);
    ctx.globalAlpha = 1;
    ctx.lineWidth = (b.selected ? 2.5 : 1.5) * px;
    ctx.strokeStyle = b.color;
    ctx.strokeRect(b.x, b.y, b.width, b.height);
  }

  // Wires in one path.
  let wires = 0;
  ctx.beginPath();
  const w = scene.wires;
  for (let i = 0; i < w.length; i += 4) {
    const sx = w[i];
    const sy = w[i + 1];
    const tx = w[i + 2];
    const ty = w[i + 3];
    if (Math.max(sx, tx) < x0 || Math.min(sx, tx) > x1 || Math.max(sy, ty) < y0 || Math.min(sy, ty) > y1) continue;
    const c = controlOffset(sx, tx);
    ctx.moveTo(sx, sy);
    ctx.bezierCurveTo(sx + c, sy, tx - c, ty, tx, ty);
    wires++;
  }
  ctx.lineWidth = px;
  ctx.strokeStyle = COLORS.wire;
  ctx.stroke();

  // Comments as notes.
  ctx.beginPath();
  for (const b of visible) if (b.kind === 'comment') ctx.rect(b.x, b.y, b.width, b.height);
  ctx.fillStyle = COLORS.commentBody;
  ctx.fill();
  ctx.strokeStyle = COLORS.commentBorder;
  ctx.stroke();

  // Node bodies, then their category stripes, one path per colour.
  ctx.beginPath();
  const stripes = new Map<string, SceneBox[]>();
  for (const b of visible) {
    if (b.kind !== 'node') continue;
    ctx.rect(b.x, b.y, b.width, b.height);
    const list = stripes.get(b.color);
    if (list) list.push(b);
    else stripes.set(b.color, [b]);
  }
  ctx.fillStyle = COLORS.body;
  ctx.fill();
  ctx.strokeStyle = COLORS.border;
  ctx.stroke();
  for (const [color, list] of stripes) {
    ctx.beginPath();
    for (const b of list) ctx.rect(b.x, b.y, STRIPE, b.height);
    ctx.fillStyle = color;
    ctx.fill();
  }

  // States: a debug node turned off greyed, problems outlined red, the selection outlined blue.
  const outline = (pick: (b: SceneBox) => boolean, color: string, width: number, fill?: string) => {
    ctx.beginPath();
    let any = false;
    for (const b of visible)
      if (pick(b)) {
        ctx.rect(b.x, b.y, b.width, b.height);
        any = true;
      }
    if (!any) return;
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    if (width > 0) {
      ctx.lineWidth = width * px;
      ctx.strokeStyle = color;
      ctx.stroke();
    }
  };
  outline((b) => b.muted, COLORS.border, 0, COLORS.muted);
  outline((b) => b.invalid, COLORS.danger, 2);
  outline((b) => b.selected, COLORS.accent, 3);

  // A node in error is tinted red as a whole: at this zoom a dot alone is a pixel or two.
  outline((b) => b.kind === 'node' && b.status === 'error', COLORS.danger, 0, COLORS.dangerTint);
  // Runtime status: a dot in the node's top-right corner, 3.5 screen pixels at most, within the node.
  const r = Math.min(3.5 * px, 12);
  for (const [state, color] of [
    ['error', COLORS.danger],
    ['warning', COLORS.warning],
    ['ok', COLORS.success],
  ] as const) {
    ctx.beginPath();
    for (const b of visible) {
      if (b.kind !== 'node' || b.status !== state) continue;
      const cx = b.x + b.width - 12;
      const cy = b.y + 12;
      ctx.moveTo(cx + r, cy);
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = color;
    ctx.fill();
  }

  // Captions, sized to fill the node (no DOM text to lay out), once they can be read at all.
  if (zoom >= CAPTION_MIN_ZOOM) {
    const size = Math.min(30, 11 / zoom);
    ctx.font = `600 ${size}px ${FONT}`;
    ctx.fillStyle = COLORS.text;
    ctx.textBaseline = 'middle';
    for (const b of visible) {
      if (b.kind === 'group') continue;
      const room = b.width - (b.kind === 'node' ? STRIPE + 12 : 12);
      const text = truncated(b.caption.split('\n')[0], Math.floor(room / (0.58 * size)));
      if (text) ctx.fillText(text, b.x + (b.kind === 'node' ? STRIPE + 8 : 6), b.y + Math.min(b.height / 2, 24));
    }
  }

  // Group titles and the hovered node's name at a readable size on screen, whatever the zoom.
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = `600 11px ${FONT}`;
  ctx.textBaseline = 'middle';
  for (const b of visible) {
    if (b.kind !== 'group' || !b.caption) continue;
    // Inside the frame's top-left corner (where the zoomed-in frame has its title), on a pill that keeps it readable.
    const tx = b.x * zoom + v.x + 3;
    const ty = b.y * zoom + v.y + 3;
    ctx.fillStyle = 'rgb(255 255 255 / 88%)';
    ctx.fillRect(tx, ty, ctx.measureText(b.caption).width + 8, 16);
    ctx.fillStyle = b.color;
    ctx.fillText(b.caption, tx + 4, ty + 8);
  }
  if (hovered) {
    const sx = hovered.x * zoom + v.x;
    const sy = hovered.y * zoom + v.y;
    ctx.lineWidth = 2;
    ctx.strokeStyle = COLORS.accent;
    ctx.strokeRect(sx, sy, hovered.width * zoom, hovered.height * zoom);
    ctx.font = `600 12px ${FONT}`;
    const label = hovered.caption;
    const tw = ctx.measureText(label).width;
    ctx.fillStyle = 'rgb(31 41 51 / 90%)';
    ctx.fillRect(sx, sy - 22, tw + 12, 20);
    ctx.fillStyle = '#ffffff';
    ctx.textBaseline = 'middle';
    ctx.fillText(label, sx + 6, sy - 12);
  }
  return { nodes, wires };
}
