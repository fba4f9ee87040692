import type { CliCommand } from '../command';
import { dataCommands } from './data';
import { monitorCommands } from './monitor';
import { featureCommands } from './features';
import { projectCommands } from './project';
import { registryCommands } from './registry';
import { serveCommands } from './serve';
import { retrainCommands } from './retrain';
import { replayCommands } from './replay';
import { trackingCommands } from './tracking';
import { trainCommands } from './train';
import { ciCommands } from './ci';

/** Every command of the CLI. A capability adds its module here and nothing else changes. */
export const allCommands: readonly CliCommand[] = [...projectCommands, ...dataCommands, ...trackingCommands, ...trainCommands, ...registryCommands, ...monitorCommands, ...featureCommands, ...serveCommands, ...retrainCommands, ...replayCommands, ...ciCommands];
