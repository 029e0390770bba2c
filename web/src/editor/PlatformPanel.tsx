// Platform assumptions: every setting of the flow's platform profile a hint refers to, edited in
// words (settings.profile). Confirming one clears the warning that asked for it (e.g. FG520).
import { useEffect, useState } from "react";
import { request } from "../api/client";
import type { Flow, S } from "../api/types";
import { FieldErrors } from "../nodes/shared/fields";
import { useEditor } from "../store";

type Profile = S["PlatformProfile"];

function withProfile(f: Flow, patch: Partial<Profile>): Flow {
  const settings = f.settings ?? {};
  return { ...f, settings: { ...settings, profile: { ...(settings.profile ?? {}), ...patch } } };
}

/** [profile key, label, help, default] of the yes/no assumptions. */
const FLAGS: [string, string, string, boolean][] = [
  [
    "hangup_confirmed",
    "Hangups confirmed",
    "A test call on this account hung up when a response ended at a hangup node.",
    false,
  ],
  [
    "transfer_fallthrough",
    "Unanswered transfers continue",
    "After a transfer nobody answers, the platform runs the next transfer (the 'no answer' branch). Seen once.",
    true,
  ],
  [
    "transfer_fallthrough_other",
    "Recordings and menus after an unanswered transfer",
    "After a transfer nobody answers, the platform also plays a recording, a menu or a hand-off that follows. Never seen: leave off until a test call shows it.",
    false,
  ],
  [
    "system_recording_as_number",
    "Send numeric recording ids as numbers",
    'As the platform document\'s examples do (1234, not "1234").',
    true,
  ],
];

interface SchemaProp {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
}

let schemaCache: Promise<Record<string, SchemaProp>> | null = null;

/** The profile's properties from the server's OpenAPI document, so a yes/no assumption added on
 * the server (and named by a hint) gets a checkbox here without an editor change. */
function profileSchema(): Promise<Record<string, SchemaProp>> {
  schemaCache ??= request("GET", "/openapi.json").then((res) => {
    const doc = res.body as {
      components?: { schemas?: Record<string, { properties?: Record<string, SchemaProp> }> };
    };
    return doc.components?.schemas?.PlatformProfile?.properties ?? {};
  });
  return schemaCache;
}

/** Every boolean assumption: the ones worded here first, then any other the server declares. */
function useFlags(): [string, string, string, boolean][] {
  const [extra, setExtra] = useState<[string, string, string, boolean][]>([]);
  useEffect(() => {
    let live = true;
    profileSchema()
      .then((props) => {
        const known = new Set(FLAGS.map(([k]) => k));
        const more = Object.entries(props)
          .filter(([k, p]) => p.type === "boolean" && !known.has(k))
          .map(([k, p]): [string, string, string, boolean] => [
            k,
            p.title ?? k,
            p.description ?? "",
            p.default === true,
          ]);
        if (live) setExtra(more);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return [...FLAGS, ...extra];
}

export function PlatformPanel({ flow }: { flow: Flow }) {
  const edit = useEditor((s) => s.edit);
  const flags = useFlags();
  const diagnostics = useEditor((s) => s.diagnostics);
  const profile = flow.settings?.profile ?? {};
  const set = (patch: Partial<Profile>, key?: string) => edit((f) => withProfile(f, patch), key);
  const errors = diagnostics.filter((d) => d.field.startsWith("settings.profile"));
  return (
    <fieldset className="fg-wiring" data-testid="platform-assumptions">
      <legend>Platform assumptions</legend>
      <p className="fg-help">
        What flowgraph assumes about Smartflo until you confirm it on your account (docs/platform-profile.md).
      </p>
      {flags.map(([key, label, help, fallback]) => (
        <div className="fg-field" key={key}>
          <label>
            <input
              type="checkbox"
              data-testid={`profile-${key}`}
              checked={((profile as Record<string, unknown>)[key] as boolean | undefined) ?? fallback}
              onChange={(e) => set({ [key]: e.target.checked } as Partial<Profile>)}
            />{" "}
            {label}
          </label>
          <div className="fg-help">{help}</div>
        </div>
      ))}
      <div className="fg-field">
        <label htmlFor="profile-nesting">Most API Dialplan hops per call</label>
        <input
          id="profile-nesting"
          type="number"
          min={1}
          max={10}
          value={profile.nesting_limit ?? 3}
          onChange={(e) => set({ nesting_limit: Number(e.target.value) || 3 }, "profile:nesting")}
        />
      </div>
      <div className="fg-field">
        <label htmlFor="profile-retry">Most retries a menu may ask for</label>
        <input
          id="profile-retry"
          type="number"
          min={0}
          value={profile.dtmf_max_retry ?? 5}
          onChange={(e) => set({ dtmf_max_retry: Number(e.target.value) }, "profile:retry")}
        />
      </div>
      <div className="fg-field">
        <label htmlFor="profile-actions">Several actions in one answer are sent</label>
        <select
          id="profile-actions"
          value={profile.multi_action_form ?? "nested"}
          onChange={(e) => set({ multi_action_form: e.target.value as "nested" | "flat" })}
        >
          <option value="nested">nested [[…],[…]] (platform document)</option>
          <option value="flat">flat […, …] (unconfirmed)</option>
        </select>
      </div>
      <div className="fg-field">
        <label htmlFor="profile-numbers">Transfer numbers are sent as</label>
        <select
          id="profile-numbers"
          value={profile.number_format ?? "national10"}
          onChange={(e) => set({ number_format: e.target.value as "national10" | "e164" })}
        >
          <option value="national10">10 digits (9876543210)</option>
          <option value="e164">+91 and 10 digits</option>
        </select>
      </div>
      <div className="fg-field">
        <label htmlFor="profile-tz">Time zone of call times and time rules</label>
        <input
          id="profile-tz"
          value={profile.timezone ?? "Asia/Kolkata"}
          onChange={(e) => set({ timezone: e.target.value }, "profile:tz")}
        />
      </div>
      <FieldErrors errors={errors} />
    </fieldset>
  );
}
