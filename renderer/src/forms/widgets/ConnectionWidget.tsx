/** Picks one of the flow's connections of the kind the field needs, or creates a new one and opens it. */
import type { WidgetProps } from '@rjsf/utils';
import { connectionKind } from '../../model/catalog.js';
import { useFlow, useFlowStore } from '../../state/flow-context.js';
import { useUi } from '../../state/ui-store.js';
import css from '../SchemaForm.module.css';

const NEW = '\u0000new';

export function ConnectionWidget(props: WidgetProps) {
  const { id, value, onChange, schema, disabled, readonly } = props;
  const kind = typeof schema['x-connection'] === 'string' ? schema['x-connection'] : '';
  const store = useFlowStore();
  // The node being edited (the form belongs to the one selected node): the connections panel leads back to it.
  const editing = () => {
    const selected = store.getState().nodes.filter((n) => n.selected);
    return selected.length === 1 ? selected[0].id : undefined;
  };
  const connections = useFlow((s) => s.connections);
  const ofKind = connections.filter((c) => c.kind === kind);
  const title = connectionKind(kind)?.title ?? kind;
  const current = typeof value === 'string' ? value : '';
  const missing = current !== '' && !ofKind.some((c) => c.id === current);

  return (
    <div className={css.connection}>
      <select
        id={id}
        value={current}
        disabled={disabled || readonly}
        onChange={(e) => {
          if (e.target.value === NEW) {
            const created = store.getState().addConnection(kind);
            onChange(created);
            // rjsf reports the change when React commits it; switch panels (unmounting this form) only after that.
            const from = editing();
            setTimeout(() => useUi.getState().setOpenConnection(created, from), 0);
          } else onChange(e.target.value || undefined);
        }}
      >
        <option value="">Choose a {title} connection…</option>
        {ofKind.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name ? `${c.name} (${c.id})` : c.id}
          </option>
        ))}
        {missing && <option value={current}>{current} (missing)</option>}
        <option value={NEW}>+ New {title} connection…</option>
      </select>
      {current && !missing && (
        <button
          type="button"
          className={css.linkButton}
          onClick={() => useUi.getState().setOpenConnection(current, editing())}
        >
          Edit
        </button>
      )}
    </div>
  );
}
