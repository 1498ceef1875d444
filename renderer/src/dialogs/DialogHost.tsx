/** Shows the dialog the UI store asks for. */
import { closeTab } from '../app/TabBar.js';
import { ProblemList } from '../panels/ProblemList.js';
import { overwrite, reloadFromServer, save } from '../state/flow-actions.js';
import { useUi } from '../state/ui-store.js';
import { useWorkspace } from '../state/workspace.js';
import css from './Dialogs.module.css';
import { HelpDialog } from './HelpDialog.js';
import { ImportDialog } from './ImportDialog.js';
import { Modal } from './Modal.js';
import { OpenDialog } from './OpenDialog.js';

export function DialogHost() {
  const dialog = useUi((s) => s.dialog);
  const close = () => useUi.getState().setDialog(undefined);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'help':
      return <HelpDialog />;
    case 'open':
      return <OpenDialog />;
    case 'import':
      return <ImportDialog />;
    case 'problems':
      return (
        <Modal title={dialog.title} wide>
          <ProblemList problems={dialog.problems} showWhere />
        </Modal>
      );
    case 'confirm-close': {
      const tab = useWorkspace.getState().tab(dialog.tabKey);
      const name = tab?.store.getState().meta.name ?? 'this flow';
      return (
        <Modal
          title="Unsaved changes"
          footer={
            <>
              <button type="button" className={css.button} onClick={close}>
                Cancel
              </button>
              <button
                type="button"
                className={`${css.button} ${css.danger}`}
                onClick={() => {
                  close();
                  closeTab(dialog.tabKey);
                }}
              >
                Discard changes
              </button>
              <button
                type="button"
                className={`${css.button} ${css.primary}`}
                data-autofocus
                onClick={async () => {
                  close();
                  if (await save(tab)) closeTab(dialog.tabKey);
                }}
              >
                Save and close
              </button>
            </>
          }
        >
          <p className={css.p}>“{name}” has changes that are not saved. Closing it without saving loses them.</p>
        </Modal>
      );
    }
    case 'conflict': {
      const tab = useWorkspace.getState().tab(dialog.tabKey);
      return (
        <Modal
          title="Saved elsewhere"
          footer={
            <>
              <button type="button" className={css.button} onClick={close}>
                Keep editing
              </button>
              <button
                type="button"
                className={css.button}
                onClick={() => {
                  close();
                  void reloadFromServer(tab);
                }}
              >
                Load their version
              </button>
              <button
                type="button"
                className={`${css.button} ${css.danger}`}
                onClick={() => {
                  close();
                  void overwrite(tab);
                }}
              >
                Save mine over it
              </button>
            </>
          }
        >
          <p className={css.p} data-testid="conflict-message">
            {dialog.message}
          </p>
          <p className={css.muted}>Your changes are kept in this tab until you choose.</p>
        </Modal>
      );
    }
  }
}
