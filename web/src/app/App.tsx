// Hash routes: "#/" the flows list, "#/flow/<id>" the editor, "#/tables[/<name>]" the server's
// tables. No token -> sign in.
import { useEffect, useRef, useState } from "react";
import { getToken, setToken } from "../api/client";
import { EditorPage } from "../editor/EditorPage";
import { leaveEditor } from "../editor/hooks";
import { useEditorStore } from "../store";
import { TablesPage } from "../tables/TablesPage";
import { FlowList } from "./FlowList";
import { SignIn } from "./SignIn";

function route(): { flow: string | null; tables: boolean; table: string | null } {
  const hash = window.location.hash;
  const m = /^#\/flow\/(.+)$/.exec(hash);
  const t = /^#\/tables(?:\/(.+))?$/.exec(hash);
  return {
    flow: m?.[1] ? decodeURIComponent(m[1]) : null,
    tables: t !== null,
    table: t?.[1] ? decodeURIComponent(t[1]) : null,
  };
}

export function App() {
  const store = useEditorStore();
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [where, setWhere] = useState(route);
  // The flow last open in the editor, so the Tables page can lead back to it.
  const lastFlow = useRef<string | null>(null);
  if (where.flow) lastFlow.current = where.flow;
  useEffect(() => {
    const on = () => setWhere(route());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const go = (hash: string) => {
    window.location.hash = hash;
  };
  const signOut = () => {
    setToken(null);
    setSignedIn(false);
  };
  if (where.tables) return <TablesPage table={where.table} backTo={lastFlow.current} onSignOut={signOut} />;
  if (where.flow)
    return <EditorPage key={where.flow} flowId={where.flow} onBack={() => void leaveEditor(store, "#/")} />;
  return <FlowList onOpen={(id) => go(`#/flow/${encodeURIComponent(id)}`)} onSignOut={signOut} />;
}
