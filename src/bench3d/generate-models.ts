import type { Faker } from '@faker-js/faker';
import { assignKinds } from './assign-kinds.js';
import { chunkRows } from './chunk-rows.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { DAY_MS, timeBetween } from './random-time.js';
import { activeUntil, type UserProfile } from './generate-users.js';

/**
 * How a model's visibility evolved: always public; private or link-shared that was made public
 * later; public that was turned private (its collected metadata must go, policy I.7); never public.
 */
export type ModelHistory = 'public' | 'made-public' | 'turned-private' | 'private' | 'link';

export interface ModelProfile {
  id: number;
  ownerId: number;
  title: string;
  history: ModelHistory;
  createdAt: number;
  visibilityChangedAt: number | null;
}

export const MODEL_COLUMNS: CopyTarget = {
  table: 'models',
  columns: ['id', 'owner_id', 'title', 'visibility', 'created_at', 'visibility_changed_at'],
};

const SUBJECTS = ['Gear housing', 'Drone frame', 'Phone stand', 'Bracket', 'Chess set', 'Lamp shade', 'Robot arm', 'Cable clip', 'Planter', 'Bust', 'Keycap', 'Hinge'];

export function planModels(faker: Faker, count: number, users: readonly UserProfile[], now: Date): ModelProfile[] {
  const histories = assignKinds<ModelHistory>(
    faker,
    count,
    [
      { kind: 'turned-private', share: 0.15, min: 2 },
      { kind: 'made-public', share: 0.1, min: 1 },
      { kind: 'public', share: 0.3, min: 2 },
      { kind: 'link', share: 0.1, min: 1 },
    ],
    'private',
  );
  const models = histories.map((history) => {
    const owner = faker.helpers.arrayElement(users);
    const end = activeUntil(owner, now);
    const createdAt = timeBetween(faker, owner.createdAt, end - DAY_MS);
    const changes = history === 'made-public' || history === 'turned-private';
    const title = faker.datatype.boolean() ? faker.commerce.productName() : `${faker.helpers.arrayElement(SUBJECTS)} v${faker.number.int({ min: 1, max: 9 })}`;
    return { id: 0, ownerId: owner.id, title, history, createdAt, visibilityChangedAt: changes ? timeBetween(faker, createdAt + DAY_MS, end) : null };
  });
  models.sort((a, b) => a.createdAt - b.createdAt);
  models.forEach((model, index) => (model.id = index + 1));
  return models;
}

export function visibilityOf(model: ModelProfile): 'public' | 'private' | 'link' {
  switch (model.history) {
    case 'public':
    case 'made-public':
      return 'public';
    case 'link':
      return 'link';
    default:
      return 'private';
  }
}

export function generateModelRows(models: readonly ModelProfile[]): Iterable<CopyRow[]> {
  return chunkRows(models.length, (index) => {
    const model = models[index]!;
    return [
      model.id,
      model.ownerId,
      model.title,
      visibilityOf(model),
      new Date(model.createdAt),
      model.visibilityChangedAt === null ? null : new Date(model.visibilityChangedAt),
    ];
  });
}
