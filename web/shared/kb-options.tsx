/** A knowledge-base picker's options, one per KB, valued and labelled by its name. */
export function KbOptions({ kbs }: { kbs: readonly { name: string }[] }) {
  return (
    <>
      {kbs.map((kb) => (
        <option key={kb.name} value={kb.name}>
          {kb.name}
        </option>
      ))}
    </>
  );
}
