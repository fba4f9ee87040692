import { installedVersion } from '../../core/install';
import { l10n } from '../../core/l10n';
import { writeCiWorkflow } from '../../core/retrain';
import { openProject } from '../../core/workspace';
import { UsageError } from '../args';
import { JSON_OPTION, defineCommand, printJson, type CliCommand } from '../command';

const PROVIDERS = ['github', 'gitlab'] as const;

const ciInit = defineCommand({
  name: 'ci init',
  usage: 'mlops ci init github | gitlab [--force] [--json]',
  summary: 'Write a CI workflow (GitHub Actions or GitLab CI) that validates, pulls the data, runs mlops repro and gates the challenger.',
  options: [
    { name: 'force', type: 'boolean', description: 'Replace the workflow file if it exists.' },
    JSON_OPTION,
  ],
  run(ctx) {
    const [provider, ...rest] = ctx.args.positionals;
    const chosen = PROVIDERS.find((p) => p === provider);
    if (!chosen || rest.length) throw new UsageError(l10n.t('ci init takes one provider: github or gitlab.'));
    const written = writeCiWorkflow(openProject(ctx.cwd), chosen, { cliVersion: installedVersion(), force: ctx.args.options.force === true });
    if (ctx.args.options.json) printJson(ctx, 'ci init', written);
    else {
      ctx.stdout(l10n.t('Wrote {0}: it installs {1}, then runs mlops validate, pull, repro and gate --model {2}@challenger.', written.file, written.cli, written.model) + '\n');
      for (const w of written.warnings) ctx.stderr(l10n.t('Warning: {0}', w) + '\n');
    }
    return 0;
  },
});

export const ciCommands: readonly CliCommand[] = [ciInit];
