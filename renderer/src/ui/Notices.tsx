/** Short notices (saved, deployed, why a connection was refused), bottom centre. */
import { useUi } from '../state/ui-store.js';
import css from './Notices.module.css';

export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <div className={css.stack} aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`${css.notice} ${css[n.tone]}`}
          data-testid={`notice-${n.tone}`}
          role={n.tone === 'error' ? 'alert' : 'status'}
        >
          <span>{n.text}</span>
          <button type="button" onClick={() => useUi.getState().dismiss(n.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
