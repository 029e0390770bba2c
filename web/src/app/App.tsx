// Hash routes: "#/" the flows list, "#/flow/<id>" the editor. No token -> sign in.
import { useEffect, useState } from "react";
import { getToken, setToken } from "../api/client";
import { EditorPage } from "../editor/EditorPage";
import { saveNow } from "../editor/hooks";
import { FlowList } from "./FlowList";
import { SignIn } from "./SignIn";

function route(): { flow: string | null } {
  const m = /^#\/flow\/(.+)$/.exec(window.location.hash);
  return { flow: m?.[1] ? decodeURIComponent(m[1]) : null };
}

export function App() {
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [where, setWhere] = useState(route);
  useEffect(() => {
    const on = () => setWhere(route());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const go = (hash: string) => {
    window.location.hash = hash;
  };
  if (where.flow)
    return (
      <EditorPage
        key={where.flow}
        flowId={where.flow}
        onBack={() => void saveNow().finally(() => go("#/"))}
      />
    );
  return (
    <FlowList
      onOpen={(id) => go(`#/flow/${encodeURIComponent(id)}`)}
      onSignOut={() => {
        setToken(null);
        setSignedIn(false);
      }}
    />
  );
}
