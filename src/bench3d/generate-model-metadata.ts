import type { Faker } from '@faker-js/faker';
import { chunkRows } from './chunk-rows.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { timeBetween } from './random-time.js';
import type { ModelProfile } from './generate-models.js';
import { randomAlphanumeric } from './random-strings.js';

export const MODEL_METADATA_COLUMNS: CopyTarget = {
  table: 'public_model_metadata',
  columns: ['id', 'model_id', 'collected_at', 'title', 'description', 'tags', 'thumbnail_url', 'polygon_count', 'file_size_bytes'],
};

const TAGS = ['mechanical', 'printable', 'low-poly', 'architecture', 'character', 'furniture', 'toy', 'cosplay', 'tool', 'jewelry', 'vehicle', 'scan', '手办', '建筑', '机械'];

/**
 * Snapshots of models taken while they were public (policy I.7): for a model turned private,
 * before it was; for one made public, after. The first snapshot always belongs to a model turned
 * private, so the "no longer public" rule has work at every scale.
 */
export function generateModelMetadataRows(faker: Faker, count: number, models: readonly ModelProfile[], now: Date): Iterable<CopyRow[]> {
  const everPublic = models.filter((model) => model.history === 'public' || model.history === 'made-public' || model.history === 'turned-private');
  const turnedPrivate = everPublic.filter((model) => model.history === 'turned-private');
  const end = now.getTime();
  const snapshots = Array.from({ length: everPublic.length === 0 ? 0 : count }, (_, index) => {
    const model = index === 0 && turnedPrivate.length > 0 ? turnedPrivate[0]! : faker.helpers.arrayElement(everPublic);
    const collectedAt =
      model.history === 'turned-private'
        ? timeBetween(faker, model.createdAt, model.visibilityChangedAt!)
        : timeBetween(faker, model.visibilityChangedAt ?? model.createdAt, end);
    return { model, collectedAt };
  });
  snapshots.sort((a, b) => a.collectedAt - b.collectedAt);
  return chunkRows(snapshots.length, (index) => {
    const { model, collectedAt } = snapshots[index]!;
    return [
      index + 1,
      model.id,
      new Date(collectedAt),
      model.title,
      faker.number.float() < 0.8 ? faker.commerce.productDescription() : null,
      faker.helpers.arrayElements(TAGS, { min: 0, max: 4 }),
      `https://cdn.bench3d.example/thumbs/${model.id}/${randomAlphanumeric(faker, 12)}.webp`,
      faker.number.int({ min: 200, max: 2_000_000 }),
      faker.number.int({ min: 20_000, max: 400_000_000 }),
    ];
  });
}
