/** Keyboard shortcuts and canvas gestures, from the same list the key handler uses. */
import { SHORTCUTS } from '../canvas/shortcuts.js';
import css from './Dialogs.module.css';
import { Modal } from './Modal.js';

const GESTURES: Array<[string, string]> = [
  ['Drag from the palette', 'Add a node where you drop it'],
  ['Drag from an output to an input', 'Connect two nodes (a refused connection says why)'],
  ['Shift + drag on the canvas', 'Select several nodes'],
  ['Ctrl + click', 'Add a node to the selection'],
  ['Drag on the canvas / scroll', 'Pan / zoom'],
];

export function HelpDialog() {
  return (
    <Modal title="Keyboard shortcuts" wide>
      <table className={css.keys} data-testid="help-dialog">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.command}>
              <td>
                {s.keys.map((k) => (
                  <kbd key={k}>{k}</kbd>
                ))}
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
          {GESTURES.map(([g, what]) => (
            <tr key={g}>
              <td className={css.muted}>{g}</td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
