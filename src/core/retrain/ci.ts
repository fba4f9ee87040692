import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { writeFileDurably } from '../storage';
import type { Project } from '../workspace';
import { pipelineModel } from './repro';

export type CiProvider = 'github' | 'gitlab';

export interface CiWorkflow {
  provider: CiProvider;
  /** Project-relative path of the file written. */
  file: string;
  model: string;
  /** The npm package the workflow installs, pinned: `mlops-workbench@0.1.0`. */
  cli: string;
  /** Things to know about the project's settings that change what the workflow does. */
  warnings: string[];
}

export const CI_FILES: Readonly<Record<CiProvider, string>> = { github: '.github/workflows/mlops.yml', gitlab: '.gitlab-ci.yml' };

/**
 * The commands every workflow runs, in order. The CLI is installed once, globally and pinned to the version that
 * wrote the workflow: every step then calls `mlops` as the docs do, and CI runs the CLI the project was set up with
 * (npx would resolve the package again at each of the four calls, and needs `-p` since the bin is not the package).
 */
function commands(model: string, cli: string) {
  return {
    install: `npm install -g ${cli}`,
    loop: ['mlops validate', 'mlops pull', 'mlops repro', `mlops gate --model ${model}@challenger --report gate.md`],
  };
}

function githubWorkflow(model: string, cli: string): string {
  const c = commands(model, cli);
  return `# Written by \`mlops ci init github\`: validate mlops.yaml, pull the data, run the declared loop, and gate the
# challenger against the champion. The gate fails the build (exit 1) when the challenger is worse; its report
# goes to the job summary and to the gate-report artifact either way.
name: mlops
on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:
jobs:
  mlops:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install the MLOps Workbench CLI
        run: ${c.install}
      - name: Validate mlops.yaml
        run: ${c.loop[0]}
      - name: Pull the data from the remote
        run: ${c.loop[1]}
      - name: Run the declared loop
        run: ${c.loop[2]}
      - name: Gate the challenger
        run: ${c.loop[3]}
      - name: Publish the gate report
        if: always()
        run: |
          if [ -f gate.md ]; then cat gate.md >> "$GITHUB_STEP_SUMMARY"; fi
      - name: Keep the gate report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: gate-report
          path: gate.md
          if-no-files-found: ignore
`;
}

function gitlabWorkflow(model: string, cli: string): string {
  const c = commands(model, cli);
  return `# Written by \`mlops ci init gitlab\`: validate mlops.yaml, pull the data, run the declared loop, and gate the
# challenger against the champion. The gate fails the job (exit 1) when the challenger is worse; its report is the
# job's artifact either way, and a note on the merge request when MLOPS_NOTE_TOKEN (a project access token with
# the api scope, as a masked CI/CD variable) is set.
stages:
  - mlops
mlops:
  stage: mlops
  image: node:20
  script:
    - ${c.install}
${c.loop.map((line) => `    - ${line}\n`).join('')}  after_script:
    - |
      if [ -f gate.md ] && [ -n "$CI_MERGE_REQUEST_IID" ] && [ -n "$MLOPS_NOTE_TOKEN" ]; then
        node -e 'process.stdout.write(JSON.stringify({ body: require("fs").readFileSync("gate.md", "utf8") }))' > gate-note.json
        curl --fail --silent --show-error --request POST --header "PRIVATE-TOKEN: $MLOPS_NOTE_TOKEN" --header "Content-Type: application/json" --data @gate-note.json "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
      fi
  artifacts:
    when: always
    expose_as: gate report
    paths:
      - gate.md
`;
}

/** The workflow's text for a provider: what `writeCiWorkflow` writes. */
export function ciWorkflowText(provider: CiProvider, model: string, cli: string): string {
  return provider === 'github' ? githubWorkflow(model, cli) : gitlabWorkflow(model, cli);
}

/**
 * Writes the CI workflow of a provider for the project's model (the one `mlops repro` registers). An existing file
 * is someone's workflow: it is replaced only with `force`.
 */
export function writeCiWorkflow(project: Project, provider: CiProvider, options: { cliVersion: string; force?: boolean }): CiWorkflow {
  const file = CI_FILES[provider];
  const target = path.join(project.paths.root, file);
  if (fs.existsSync(target) && !options.force) {
    throw new MlopsError(l10n.t('{0} exists already.', file), l10n.t('Give --force to replace it, or merge the steps by hand.'), 'CI_EXISTS');
  }
  const model = pipelineModel(project);
  const cli = `mlops-workbench@${options.cliVersion}`;
  const warnings: string[] = [];
  if (project.config.retraining?.[model]?.promotion === 'auto' && project.config.retraining[model].governance?.approval !== 'required') {
    warnings.push(l10n.t('retraining.{0}.promotion is auto: `mlops repro` promotes a challenger that passes, and the gate step then has no challenger apart from the champion. For CI, promotion: manual lets the build gate and a person approve.', model));
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  writeFileDurably(target, ciWorkflowText(provider, model, cli));
  return { provider, file, model, cli, warnings };
}
