import type { CliCommand } from '../command';
import { dataCommands } from './data';
import { projectCommands } from './project';
import { registryCommands } from './registry';
import { retrainCommands } from './retrain';
import { trackingCommands } from './tracking';
import { trainCommands } from './train';

/** Every command of the CLI. A capability adds its module here and nothing else changes. */
export const allCommands: readonly CliCommand[] = [...projectCommands, ...dataCommands, ...trackingCommands, ...trainCommands, ...registryCommands, ...retrainCommands];
