// Import a CSV as a table's next version: a file picker or a file dropped on the box; shows the
// upload's progress, then what the import did, or every located problem and that nothing changed.
import { useState } from "react";
import { useTables } from "./store";
import { progress } from "./view";

function Problems() {
  const upload = useTables((s) => s.upload);
  if (upload.state !== "refused") return null;
  return (
    <div className="fg-upload-refused" role="alert" data-testid="upload-refused">
      <p>
        <strong>{upload.file} was not imported.</strong> {upload.message}
      </p>
      <p className="fg-help">{upload.detail}</p>
      {upload.problems.length > 0 && (
        <table className="fg-problems-table" data-testid="upload-problems">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {upload.problems.map((p) => (
              <tr key={`${p.where}:${p.message}`}>
                <td>{p.line ?? p.where}</td>
                <td>{p.column === null ? "" : `${p.column}${p.columnName ? ` (${p.columnName})` : ""}`}</td>
                <td>{p.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The upload control for table `name` (a new table when it does not exist yet); `place` prefixes
 * its test ids (the page has one for the open table and one for a new table). */
export function UploadBox({ name, place, onDone }: { name: string; place: string; onDone?: () => void }) {
  const upload = useTables((s) => s.upload);
  const uploadFile = useTables((s) => s.uploadFile);
  const [over, setOver] = useState(false);
  const busy = upload.state === "sending" || upload.state === "checking";
  const send = (file: File | undefined) => {
    if (!file || busy || !name) return;
    void uploadFile(name, file).then((ok) => ok && onDone?.());
  };
  const mine = name !== "" && upload.table === name;
  return (
    <div className="fg-upload">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop target; the file input inside is the keyboard path */}
      <div
        className={`fg-drop${over ? " is-over" : ""}`}
        data-testid={`${place}-drop`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          send(e.dataTransfer.files[0]);
        }}
      >
        <label className="fg-file">
          Upload CSV
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            data-testid={`${place}-upload`}
            disabled={busy || !name}
            onChange={(e) => {
              send(e.target.files?.[0]);
              e.target.value = "";
            }}
          />
        </label>
        <span className="fg-help">
          or drop a CSV here. The first line names the columns, the first column is the key. The whole file is
          checked first: a file with a problem changes nothing.
        </span>
      </div>
      {mine && busy && (
        <p role="status" data-testid="upload-progress">
          {upload.state === "sending"
            ? `Sending ${upload.file}: ${progress(upload.sent, upload.total)}`
            : `Checking ${upload.file} on the server…`}
          <progress max={upload.total || 1} value={upload.state === "sending" ? upload.sent : undefined} />
        </p>
      )}
      {mine && upload.state === "done" && (
        <p role="status" className="fg-upload-done" data-testid="upload-done">
          {upload.file}: {upload.message}
        </p>
      )}
      {mine && <Problems />}
    </div>
  );
}
