/** Which request shape the i-th arrival of a soak sends. Pure and deterministic: the same mix every run. */

/**
 * Arrival i is an attack when it moves the running count of attacks up (⌊(i+1)·share⌋ > ⌊i·share⌋), so attacks are
 * spread evenly at exactly `attackShare` of the arrivals; the benign arrivals take the benign shapes in turn.
 */
export function shapeIndexFor(i: number, attackShare: number, benignShapes: number, attackShapes: number): { attack: boolean; index: number } {
  if (!(attackShare >= 0 && attackShare <= 1)) throw new RangeError(`attack share is a fraction 0..1 (got ${attackShare})`);
  const attacksBefore = Math.floor(i * attackShare);
  const attack = Math.floor((i + 1) * attackShare) > attacksBefore;
  if (attack) return { attack, index: attackShapes > 0 ? attacksBefore % attackShapes : 0 };
  return { attack, index: benignShapes > 0 ? (i - attacksBefore) % benignShapes : 0 };
}
