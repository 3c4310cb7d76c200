import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { NoticeProvider } from "./components/ui";
import { I18nProvider } from "./i18n";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <NoticeProvider>
        <App />
      </NoticeProvider>
    </I18nProvider>
  </StrictMode>,
);
