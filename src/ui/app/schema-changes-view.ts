/**
 * The connector page's pending schema change (GET /connectors/{n}/schema-changes) with Approve,
 * Skip table and Reject (each asks for a confirmation first), and the decisions taken. The section
 * is rebuilt only when its data or the confirmation step changes, so a refresh never closes an open
 * confirmation under the user's pointer.
 */
import { call } from './api.js';
import { button, el, fill, note } from './dom.js';
import { timeEl } from './format.js';

type Verb = 'approve' | 'skip-table' | 'reject';

const VERBS: Record<Verb, { label: string; confirm: (table: string) => string; done: string }> = {
  approve: {
    label: 'Approve',
    confirm: () => 'Register the new schema version (a one-time compatibility override) and resume from where the connector paused? Consumers of the old schema may fail on the new records.',
    done: 'Approved: the new version is registered and the connector resumes from the stored offset.',
  },
  'skip-table': {
    label: 'Skip table',
    confirm: (t) => `Remove ${t} from capture and resume the other tables? Its changes from this point on are not delivered.`,
    done: 'Table skipped: it is no longer captured; the connector resumes the other tables.',
  },
  reject: {
    label: 'Reject',
    confirm: () => 'Record the refusal? The connector stays paused at this change until it is approved, skipped, or the table changed back.',
    done: 'Rejected: the connector stays paused at this change.',
  },
};

const DECISION_LABELS: Record<string, string> = { approved: 'approved', 'skipped-table': 'table skipped', superseded: 'superseded' };

export class SchemaChangesView {
  private state: any = null;
  private error: string | null = null;
  private confirming: Verb | null = null;
  private busy = false;
  private message: Node | null = null;
  private shown = '';

  constructor(private readonly body: HTMLElement, private readonly connector: string, private readonly refresh: () => void) {}

  update(state: any, error: string | null): void {
    this.state = state;
    this.error = error;
    this.render();
  }

  private async decide(verb: Verb, id: string): Promise<void> {
    this.busy = true;
    this.message = el('span', { class: 'muted' }, `${VERBS[verb].label} requested…`);
    this.render(true);
    try {
      await call('POST', `/connectors/${encodeURIComponent(this.connector)}/schema-changes/${encodeURIComponent(id)}/${verb}`);
      this.message = el('span', { class: 'ok-text' }, VERBS[verb].done);
    } catch (err) {
      this.message = el('span', { class: 'bad-text' }, `${VERBS[verb].label} failed: ${(err as Error).message}`);
    }
    this.busy = false;
    this.confirming = null;
    this.render(true);
    this.refresh();
  }

  private render(force = false): void {
    const key = JSON.stringify([this.state, this.error, this.confirming, this.busy]);
    if (!force && key === this.shown) return;
    this.shown = key;
    const parts: Node[] = [];
    if (this.error) parts.push(note(`Could not read the schema changes: ${this.error}`, 'error'));
    const p = this.state?.pending;
    if (p) parts.push(this.pending(p));
    else if (!this.error) parts.push(note('No schema change waiting.'));
    if (this.message) parts.push(el('p', { class: 'action-msg sc-msg', role: 'status' }, this.message));
    const skipped: string[] = this.state?.skipped_tables ?? [];
    if (skipped.length) parts.push(el('p', {}, 'Tables removed from capture (skip-table): ', el('span', { class: 'mono' }, skipped.join(', '))));
    const decisions: any[] = this.state?.decisions ?? [];
    parts.push(el('h3', {}, 'Decisions'));
    if (decisions.length) {
      parts.push(el('div', { class: 'table-wrap' }, el('table', { class: 'list decisions' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', {}, 'Table'), el('th', {}, 'Decision'), el('th', {}, 'Changes'), el('th', {}, 'Detail'))),
        el('tbody', {}, ...[...decisions].reverse().map((d) => el('tr', { 'data-decision': `${d.id}:${d.decision}` },
          el('td', {}, timeEl(d.at, true)), el('td', { class: 'mono' }, d.table), el('td', {}, DECISION_LABELS[d.decision] ?? d.decision),
          el('td', {}, (d.changes ?? []).join('; ')),
          el('td', { class: 'mono' }, d.registered ? Object.entries(d.registered).map(([s, id]) => `${s} → id ${id}`).join(', ') : d.note ?? '')))))));
    } else parts.push(note('No decision taken yet on this connector.'));
    fill(this.body, ...parts);
  }

  private pending(p: any): HTMLElement {
    const changes: any[] = p.changes ?? [];
    const verdicts: any[] = p.registry ?? [];
    const actions = el('div', { class: 'actions' });
    if (this.confirming) {
      const verb = this.confirming;
      actions.append(
        el('span', { class: 'confirm-q' }, VERBS[verb].confirm(p.table)),
        button(`Confirm ${VERBS[verb].label.toLowerCase()}`, () => void this.decide(verb, p.id), { class: verb === 'approve' ? 'btn primary' : 'btn danger', disabled: this.busy }),
        button('Cancel', () => { this.confirming = null; this.render(); }, { class: 'btn', disabled: this.busy }),
      );
    } else {
      for (const verb of Object.keys(VERBS) as Verb[]) {
        actions.append(button(VERBS[verb].label, () => { this.confirming = verb; this.message = null; this.render(); }, { class: verb === 'approve' ? 'btn primary' : 'btn', disabled: this.busy }));
      }
    }
    return el('div', { class: 'sc-pending', 'data-change': p.id },
      el('p', {}, el('strong', { class: 'warn-text' }, '▲ Breaking change of '), el('span', { class: 'mono' }, p.table),
        ' detected ', timeEl(p.detected_at), `: the connector is paused before its first change with the new shape (stopped at ${p.position}; id ${p.id}).`),
      p.rejected_at ? el('p', { class: 'bad-text' }, 'Rejected ', timeEl(p.rejected_at, true), ': the connector stays paused until the change is approved or the table skipped.') : null,
      el('ul', { class: 'sc-changes' }, ...changes.map((c) => el('li', { 'data-kind': c.kind, class: c.classification === 'breaking' ? 'breaking' : 'additive' },
        el('strong', {}, c.classification === 'breaking' ? 'breaking' : 'additive'), ` · ${c.reason}`))),
      el('p', { class: 'muted' }, 'Registry verdicts:'),
      el('ul', { class: 'sc-verdicts' }, ...verdicts.map((v) => el('li', { 'data-subject': v.subject },
        el('span', { class: 'mono' }, v.subject), ': ', v.compatible ? el('span', { class: 'ok-text' }, '✔ compatible') : el('span', { class: 'bad-text' }, '✖ incompatible')))),
      actions,
    );
  }
}
