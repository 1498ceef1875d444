/** Inline SVG icons (bundled; no icon font or CDN). 16 px, stroke-based, currentColor. */
import type { ReactElement, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function svg(paths: ReactElement, { size = 16, ...rest }: IconProps): ReactElement {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      {...rest}
    >
      {paths}
    </svg>
  );
}

export const IconSource = (p: IconProps) =>
  svg(
    <>
      <circle cx="5" cy="8" r="2.5" />
      <path d="M8 8h6M11.5 5.5 14 8l-2.5 2.5" />
    </>,
    p,
  );
export const IconTransform = (p: IconProps) =>
  svg(<path d="M2.5 5h8M8 2.5 10.5 5 8 7.5M13.5 11h-8M8 8.5 5.5 11 8 13.5" />, p);
export const IconRule = (p: IconProps) => svg(<path d="M2 8h4l3-4.5h5M9 8h5M6 8l3 4.5h5" />, p);
export const IconSink = (p: IconProps) =>
  svg(
    <>
      <path d="M2 8h6M5.5 5.5 8 8l-2.5 2.5" />
      <rect x="9.5" y="3.5" width="4.5" height="9" rx="1.2" />
    </>,
    p,
  );
export const IconUtility = (p: IconProps) =>
  svg(
    <>
      <circle cx="8" cy="8" r="2.2" />
      <path d="M8 1.8v2M8 12.2v2M1.8 8h2M12.2 8h2M3.6 3.6 5 5M11 11l1.4 1.4M3.6 12.4 5 11M11 5l1.4-1.4" />
    </>,
    p,
  );
export const IconSearch = (p: IconProps) =>
  svg(
    <>
      <circle cx="7" cy="7" r="4.5" />
      <path d="m10.5 10.5 3 3" />
    </>,
    p,
  );
export const IconPlay = (p: IconProps) => svg(<path d="M4.5 2.8v10.4L13 8z" fill="currentColor" stroke="none" />, p);
export const IconStop = (p: IconProps) =>
  svg(<rect x="4" y="4" width="8" height="8" rx="1" fill="currentColor" stroke="none" />, p);
export const IconSave = (p: IconProps) =>
  svg(
    <>
      <path d="M3 2.5h8l2.5 2.5v8.5h-10.5z" />
      <path d="M5.5 2.5v3h4v-3M5 13.5v-4h6v4" />
    </>,
    p,
  );
export const IconUndo = (p: IconProps) =>
  svg(
    <>
      <path d="M5.5 3 2.5 6l3 3" />
      <path d="M2.5 6h7a4 4 0 0 1 0 8H7" />
    </>,
    p,
  );
export const IconRedo = (p: IconProps) =>
  svg(
    <>
      <path d="m10.5 3 3 3-3 3" />
      <path d="M13.5 6h-7a4 4 0 0 0 0 8H9" />
    </>,
    p,
  );
export const IconLayout = (p: IconProps) =>
  svg(
    <>
      <rect x="1.5" y="2.5" width="4" height="3" rx=".8" />
      <rect x="10.5" y="2.5" width="4" height="3" rx=".8" />
      <rect x="10.5" y="10.5" width="4" height="3" rx=".8" />
      <path d="M5.5 4h5M8 4v8h2.5" />
    </>,
    p,
  );
export const IconHelp = (p: IconProps) =>
  svg(
    <>
      <circle cx="8" cy="8" r="6.2" />
      <path d="M6.2 6.2a1.9 1.9 0 1 1 2.6 1.8c-.5.2-.8.6-.8 1.1v.4" />
      <circle cx="8" cy="11.6" r=".4" fill="currentColor" />
    </>,
    p,
  );
export const IconPlus = (p: IconProps) => svg(<path d="M8 3v10M3 8h10" />, p);
export const IconClose = (p: IconProps) => svg(<path d="m4 4 8 8M12 4l-8 8" />, p);
export const IconFolder = (p: IconProps) =>
  svg(
    <path d="M1.8 4.2c0-.7.5-1.2 1.2-1.2h3l1.5 1.5h5.5c.7 0 1.2.5 1.2 1.2v6.1c0 .7-.5 1.2-1.2 1.2H3c-.7 0-1.2-.5-1.2-1.2z" />,
    p,
  );
export const IconImport = (p: IconProps) =>
  svg(
    <>
      <path d="M8 2v8M5 7l3 3 3-3" />
      <path d="M2.5 11v2.5h11V11" />
    </>,
    p,
  );
export const IconExport = (p: IconProps) =>
  svg(
    <>
      <path d="M8 10V2M5 5l3-3 3 3" />
      <path d="M2.5 11v2.5h11V11" />
    </>,
    p,
  );
export const IconPause = (p: IconProps) => svg(<path d="M5.5 3.5v9M10.5 3.5v9" strokeWidth={2} />, p);
export const IconTrash = (p: IconProps) => svg(<path d="M2.5 4.5h11M6 4.5V3h4v1.5M4 4.5l.7 9h6.6l.7-9" />, p);
export const IconChevron = (p: IconProps) => svg(<path d="m6 4 4 4-4 4" />, p);
export const IconBeaker = (p: IconProps) =>
  svg(
    <>
      <path d="M6 2h4M6.5 2v4L3 13c-.3.7.1 1.2.8 1.2h8.4c.7 0 1.1-.5.8-1.2L9.5 6V2" />
      <path d="M4.6 10h6.8" />
    </>,
    p,
  );
export const IconPlug = (p: IconProps) =>
  svg(
    <>
      <path d="M5.5 1.8v3M10.5 1.8v3M3.5 4.8h9v2.5a4.5 4.5 0 0 1-9 0z" />
      <path d="M8 11.8v2.4" />
    </>,
    p,
  );
export const IconFit = (p: IconProps) => svg(<path d="M2 5.5V2h3.5M10.5 2H14v3.5M14 10.5V14h-3.5M5.5 14H2v-3.5" />, p);
export const IconCopy = (p: IconProps) =>
  svg(
    <>
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.2" />
      <path d="M10.5 5.5v-2c0-.6-.4-1-1-1h-6c-.6 0-1 .4-1 1v6c0 .6.4 1 1 1h2" />
    </>,
    p,
  );

export const IconMap = (p: IconProps) =>
  svg(
    <>
      <rect x="1.8" y="3" width="12.4" height="10" rx="1.2" />
      <rect x="7.5" y="7.5" width="4.5" height="3.5" rx=".6" />
    </>,
    p,
  );
