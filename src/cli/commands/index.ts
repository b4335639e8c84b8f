import type { Command } from 'commander';
import type { ActionFactory } from '../program.js';
import { registerSeed } from './seed.js';
import { registerDemo } from './demo.js';
import { registerValidate } from './validate.js';
import { registerCheck } from './check.js';
import { registerPlan } from './plan.js';
import { registerRun } from './run.js';
import { registerErase } from './erase.js';
import { registerStatus } from './status.js';
import { registerSchedule } from './schedule.js';
import { registerInit } from './init.js';
import { registerExport } from './export.js';

/** Every command, in the order `lethe --help` lists them. */
export function registerCommands(program: Command, action: ActionFactory): void {
  registerValidate(program, action);
  registerCheck(program, action);
  registerPlan(program, action);
  registerRun(program, action);
  registerErase(program, action);
  registerStatus(program, action);
  registerSchedule(program, action);
  registerExport(program, action);
  registerInit(program, action);
  registerSeed(program, action);
  registerDemo(program, action);
}
