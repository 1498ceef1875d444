/** A centred dialog with a title; Escape and the backdrop close it. */
import { type ReactNode, useEffect, useRef } from 'react';
import { useUi } from '../state/ui-store.js';
import { IconClose } from '../ui/icons.js';
import css from './Dialogs.module.css';

function close(): void {
  useUi.getState().setDialog(undefined);
}

export function Modal({
  title,
  children,
  footer,
  wide,
}: {
  title: string;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = box.current?.querySelector<HTMLElement>('input, textarea, select, button[data-autofocus]');
    (first ?? box.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes; Escape does the same from the keyboard
    <div className={css.backdrop} onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        ref={box}
        className={`${css.dialog} ${wide ? css.wide : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        tabIndex={-1}
      >
        <div className={css.head}>
          <h2>{title}</h2>
          <button type="button" className={css.x} onClick={close} aria-label="Close">
            <IconClose />
          </button>
        </div>
        <div className={css.content}>{children}</div>
        {footer && <div className={css.footer}>{footer}</div>}
      </div>
    </div>
  );
}
