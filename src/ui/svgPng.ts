// Turns a plot's SVG (drawn by recharts) into a PNG: serialise the SVG, draw it on a canvas
// at twice its size over a white background with the plot's title above and its legend
// below (the page draws those in HTML), and encode. Needs img-src blob: in the CSP.

export interface PngLegendItem {
  label: string;
  colour: string;
  dash?: string;
  width: number;
  band?: boolean;
}

const TITLE_H = 28;
const ROW_H = 20;
const PAD = 10;

export async function svgToPng(
  svg: SVGSVGElement,
  opts: { title: string; legend?: readonly PngLegendItem[] },
  scale = 2,
): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const font = getComputedStyle(svg).fontFamily || 'sans-serif';
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  // Text inherits the page font through CSS, which a standalone SVG image does not see.
  clone.setAttribute('font-family', font);
  clone.setAttribute('font-size', getComputedStyle(svg).fontSize || '12px');
  const text = new XMLSerializer().serializeToString(clone);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const legend = opts.legend ?? [];
    // each legend label wraps to the plot's width (a run's name can be longer than the plot is wide)
    const measure = document.createElement('canvas').getContext('2d');
    if (measure) measure.font = `13px ${font}`;
    const textWidth = Math.max(60, width - PAD * 2 - 40);
    const lines = legend.map((item) =>
      wrapWords(item.label + (item.band ? ' with its 90% band' : ''), textWidth, (t) =>
        measure ? measure.measureText(t).width : t.length * 7,
      ),
    );
    const rows = lines.reduce((n, l) => n + l.length, 0);
    const totalH = TITLE_H + height + (legend.length > 0 ? PAD + rows * ROW_H : 0) + PAD;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(totalH * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser cannot draw on a canvas.');
    ctx.scale(scale, scale);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, totalH);
    ctx.fillStyle = '#1b1b1b';
    ctx.font = `600 15px ${font}`;
    ctx.textBaseline = 'middle';
    ctx.fillText(opts.title, PAD, TITLE_H / 2);
    ctx.drawImage(img, 0, TITLE_H, width, height);
    ctx.font = `13px ${font}`;
    let row = 0;
    legend.forEach((item, i) => {
      const y = TITLE_H + height + PAD + row * ROW_H + ROW_H / 2;
      if (item.band) {
        ctx.globalAlpha = 0.15;
        ctx.fillStyle = item.colour;
        ctx.fillRect(PAD, y - 6, 30, 12);
        ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = item.colour;
      ctx.lineWidth = item.width;
      ctx.setLineDash(item.dash ? item.dash.split(/\s+/).map(Number) : []);
      ctx.beginPath();
      ctx.moveTo(PAD, y);
      ctx.lineTo(PAD + 30, y);
      ctx.stroke();
      ctx.fillStyle = '#1b1b1b';
      lines[i].forEach((line, k) => ctx.fillText(line, PAD + 40, y + k * ROW_H));
      row += lines[i].length;
    });
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The plot could not be encoded as PNG.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Splits text at spaces into lines no wider than `max` (a single longer word keeps its own line). */
export function wrapWords(text: string, max: number, widthOf: (t: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && widthOf(next) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}
