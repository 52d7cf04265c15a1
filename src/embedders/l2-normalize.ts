/**
 * Scales a vector to unit length, so cosine similarity and dot product agree.
 * A zero vector stays zero: there is no direction to keep.
 */
export function l2Normalize(vector: ArrayLike<number>): number[] {
  let sumOfSquares = 0;
  for (let index = 0; index < vector.length; index += 1) {
    const value = vector[index]!;
    sumOfSquares += value * value;
  }
  const norm = Math.sqrt(sumOfSquares);
  const result = new Array<number>(vector.length);
  for (let index = 0; index < vector.length; index += 1) {
    result[index] = norm > 0 ? vector[index]! / norm : 0;
  }
  return result;
}
