// The Compare Model Versions page: two versions of a model side by side (metrics, params, training configuration,
// inputs) and how their training data differs. The host sends everything in one message; the page only renders.
import '../shared/base.css';
import './style.css';
import { connect } from '../shared/vscodeApi';
import type { CompareData, CompareStrings, ModelCompareProtocol } from './protocol';
import { el } from '../shared/dom';
import { rowsTable, versionDiff, type CompareRow } from '../shared/diffTables';

const app = document.getElementById('app')!;

function render(data: CompareData, strings: CompareStrings): void {
  const [a, b] = data.sides;
  const label = (s: typeof a) => `${strings.version} ${s.version}`;
  const header: [string, string, string] = ['', label(a), label(b)];
  const sideRows: CompareRow[] = [
    { key: strings.registered, a: a.created.slice(0, 19).replace('T', ' '), b: b.created.slice(0, 19).replace('T', ' ') },
    { key: strings.family, a: a.family, b: b.family },
    { key: strings.run, a: a.run, b: b.run },
    { key: strings.commit, a: a.commit?.slice(0, 12) ?? null, b: b.commit?.slice(0, 12) ?? null },
    { key: strings.data, a: a.data, b: b.data },
  ];
  const badges = (s: typeof a) => [...s.aliases.map((x) => el('span', { class: 'badge' }, `@${x}`)), ...(s.archived ? [el('span', { class: 'badge' }, strings.archived)] : [])];
  app.replaceChildren(
    el('h1', {}, `${data.model}: ${label(a)} ↔ ${label(b)}`),
    el('p', {}, label(a), ...badges(a), ' · ', label(b), ...badges(b)),
    rowsTable(sideRows, strings, header, false),
    el('h2', {}, strings.metrics), rowsTable(data.metrics, strings, header, true),
    el('h2', {}, strings.params), rowsTable(data.params, strings, header, true),
    el('h2', {}, strings.trainingConfig), rowsTable(data.config, strings, header, true),
    el('h2', {}, strings.inputs), rowsTable(data.inputs, strings, header, false),
    el('h2', {}, strings.dataDiff),
  );
  app.append(...versionDiff(data.dataDiff, strings));
  app.setAttribute('aria-busy', 'false');
}

connect<ModelCompareProtocol>((message) => {
  if (message.type === 'show') render(message.data, message.strings);
});
