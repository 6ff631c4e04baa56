"""The Gradio app: chat beside a live scenario panel, charts, assumptions, export, documents and
earlier conversations; plus a chat-only view for iframes at /embed. Wiring only: every behaviour
is a plain function in ``ui/handlers.py``."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr
from fastapi import FastAPI

from tools.settings import Settings
from ui import handlers as h

log = logging.getLogger("advisor.ui")

CSS = """
.gradio-container {max-width: 1500px !important; margin: 0 auto;}
#advisor-title h1 {font-size: 1.35rem; margin: 0.2rem 0;}
#advisor-title p {margin: 0 0 0.4rem 0; color: var(--body-text-color-subdued);}
#figures-box {min-height: 4rem;}
#figures-box table {font-size: 0.85rem;}
#figures-box td {white-space: nowrap;}
.compact-row {gap: 0.5rem !important;}
@media (max-width: 700px) { .gradio-container {padding: 4px !important;} #advisor-title p {display:none;} }
"""

RESIZE_JS = "() => { setTimeout(() => window.dispatchEvent(new Event('resize')), 60); }"


class UiContext:
    """What the handlers need: the settings, the advisor (built in the background) and the store."""

    def __init__(self, settings: Settings, holder: Any, store: Any):
        self.settings = settings
        self.holder = holder
        self.store = store

    @property
    def advisor(self) -> Any:
        return self.holder.get()


def user_of(request: gr.Request | None) -> str | None:
    """The authenticated user (set by the auth middleware), or None when auth is off."""
    if request is None:
        return None
    headers = getattr(request, "headers", None) or {}
    return headers.get("x-advisor-user") or None


def build_blocks(ctx: UiContext, *, embed: bool = False) -> gr.Blocks:
    """The full app, or (``embed``) the chat alone for an iframe in an intranet portal."""
    store = ctx.store
    fields = h.PANEL_FIELDS

    with gr.Blocks(title="Fine-Tune Advisor", fill_width=True, analytics_enabled=False) as demo:
        session = gr.State(None)
        if not embed:
            gr.Markdown(
                "# Fine-Tune Advisor\nShould you fine-tune a custom LLM or stay on a base-model API? "
                "Ask in plain words; every figure comes from the cost engine, every claim cites its source.",
                elem_id="advisor-title",
            )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=600 if not embed else 480,
                    latex_delimiters=[],
                    sanitize_html=True,
                    feedback_options=None,
                    buttons=["copy"],
                    placeholder="Describe your use case: volumes or monthly API bill, the model you use, "
                    "constraints such as data that must stay on-premises.",
                    elem_id="chat",
                )
                with gr.Row(elem_classes=["compact-row"]):
                    box = gr.Textbox(
                        show_label=False,
                        placeholder="Ask the advisor...",
                        scale=6,
                        lines=1,
                        max_lines=6,
                        elem_id="chat-input",
                        autofocus=not embed,
                    )
                    send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="send")
                with gr.Row(elem_classes=["compact-row"]):
                    new_chat = gr.Button("New conversation", size="sm", elem_id="new-chat")
                gr.Examples(examples=[[p] for p in h.EXAMPLE_PROMPTS], inputs=[box], label="Try asking")

            if not embed:
                with gr.Column(scale=2, min_width=320):
                    figures = gr.Markdown(h.EMPTY_FIGURES, elem_id="figures-box")
                    with gr.Tabs():
                        with gr.Tab("Scenario", elem_id="tab-scenario"):
                            gr.Markdown(
                                "The inputs in force. Edit a value and press Enter (or pick from a list): "
                                "the figures and charts follow, and the chat notes the change.",
                            )
                            inputs = []
                            for group, group_fields in h.panel_groups():
                                with gr.Accordion(group, open=group in ("Usage", "API")):
                                    for f in group_fields:
                                        inputs.append(_panel_component(f))
                            panel_note = gr.Markdown("")
                        with gr.Tab("Charts", elem_id="tab-charts") as charts_tab:
                            cumulative_plot = gr.Plot(label="Cumulative cost per path", elem_id="chart-cumulative")
                            breakdown_plot = gr.Plot(label="Cost breakdown per path", elem_id="chart-breakdown")
                            tornado_plot = gr.Plot(
                                label="What moves the decision ([flips] = changes the cheapest path)",
                                elem_id="chart-tornado",
                            )
                            band_plot = gr.Plot(label="Uncertainty: P10-P90 total per path", elem_id="chart-band")
                        with gr.Tab("Assumptions", elem_id="tab-assumptions"):
                            assumptions = gr.Dataframe(
                                headers=["Assumption", "Value", "Unit", "Source", "As of"],
                                interactive=False,
                                wrap=True,
                                elem_id="assumptions",
                            )
                        with gr.Tab("Export & share", elem_id="tab-export"):
                            report_btn = gr.DownloadButton("Report (Markdown)", value=None, elem_id="export-report")
                            csv_btn = gr.DownloadButton("Monthly cash flows (CSV)", value=None, elem_id="export-csv")
                            share_btn = gr.Button("Create a read-only share link", elem_id="share")
                            share_url = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="share-url")
                        with gr.Tab("Your documents", elem_id="tab-documents"):
                            gr.Markdown(
                                f"Add your own documents to the knowledge base: "
                                f"{', '.join(h.ALLOWED_UPLOAD_TYPES)}, up to "
                                f"{ctx.settings.max_upload_bytes // 1_000_000} MB each."
                            )
                            upload = gr.File(
                                label="Upload documents",
                                file_count="multiple",
                                file_types=list(h.ALLOWED_UPLOAD_TYPES),
                                elem_id="upload",
                            )
                            upload_status = gr.Markdown("")
                        with gr.Tab("Conversations", elem_id="tab-conversations"):
                            conversations = gr.Dropdown(label="Earlier conversations", choices=[], elem_id="conversations")
                            with gr.Row():
                                open_btn = gr.Button("Open", size="sm")
                                refresh_btn = gr.Button("Refresh list", size="sm")

        # ---- events ---------------------------------------------------------------------------
        def respond(message: str, history: list, session_id: str | None, request: gr.Request):
            user = user_of(request)
            if session_id and not store.may_use(session_id, user):
                session_id = None
            if not (message or "").strip():
                yield history, "", session_id
                return
            advisor = ctx.advisor
            last = None
            for outcome in h.stream_turn(advisor, message, session_id, history):
                last = outcome
                yield outcome.history, "", outcome.session_id
            if last is not None and last.session_id:
                store.claim(last.session_id, user, title=message)

        chat_outputs = [chatbot, box, session]
        submit_events = [
            box.submit(respond, [box, chatbot, session], chat_outputs, show_progress="hidden", api_name="chat"),
            send.click(respond, [box, chatbot, session], chat_outputs, show_progress="hidden", api_visibility="undocumented"),
        ]

        def start_over():
            return [], None

        new_chat_event = new_chat.click(start_over, None, [chatbot, session], api_visibility="undocumented")

        if embed:
            return demo

        panel_outputs = [
            figures,
            *inputs,
            panel_note,
            cumulative_plot,
            breakdown_plot,
            tornado_plot,
            band_plot,
            assumptions,
            report_btn,
            csv_btn,
        ]

        def refresh(session_id: str | None):
            view = h.panel_view(ctx.advisor, session_id, export_dir=h.export_dir(ctx.settings))
            return _panel_outputs(view)

        for event in submit_events:
            event.then(refresh, [session], panel_outputs, show_progress="hidden", api_visibility="undocumented")
        new_chat_event.then(refresh, [session], panel_outputs, api_visibility="undocumented")
        demo.load(refresh, [session], panel_outputs, api_name="panel")

        def edit(data: dict, request: gr.Request):
            # inputs given as a set arrive as one {component: value} dict
            session_id, history = data[session], data[chatbot]
            values = [data[c] for c in inputs]
            user = user_of(request)
            if session_id and not store.may_use(session_id, user):
                session_id = None
            advisor = ctx.advisor
            outcome = h.apply_panel(advisor, session_id, list(values))
            if outcome.session_id:
                store.claim(outcome.session_id, user, title="(scenario edited in the panel)")
            history = list(history or []) + outcome.messages
            view = h.panel_view(advisor, outcome.session_id, export_dir=h.export_dir(ctx.settings))
            if outcome.error:
                gr.Warning(outcome.error)
            return [history, outcome.session_id, *_panel_outputs(view)]

        edit_outputs = [chatbot, session, *panel_outputs]
        for f, component in zip(fields, inputs, strict=True):
            triggers = [component.input] if f.kind in ("choice", "bool") else [component.submit, component.blur]
            for trigger in triggers:
                trigger(edit, {session, chatbot, *inputs}, edit_outputs, show_progress="hidden", api_visibility="undocumented")

        def share(session_id: str | None, request: gr.Request) -> str:
            if not session_id:
                gr.Warning("Ask a question first: there is nothing to share yet.")
                return ""
            token = h.create_share(ctx.advisor, store, session_id, user_of(request))
            return h.share_url(request, ctx.settings.root_path, token)

        # plots redrawn while their tab was hidden come out at a default width; a resize event
        # makes plotly (responsive) fit them to the column once the tab shows
        charts_tab.select(
            None, None, None, js=RESIZE_JS, api_visibility="private"
        )
        share_btn.click(share, [session], [share_url], api_name="share")

        def on_upload(files: list | None, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
            if not files:
                return ""
            return h.upload_documents(ctx.settings, ctx.advisor, files, progress=progress)

        upload.upload(on_upload, [upload], [upload_status], api_name="upload_documents")

        def list_conversations(request: gr.Request):
            choices = h.conversation_choices(ctx.advisor, store, user_of(request))
            return gr.Dropdown(choices=choices, value=None)

        def open_conversation(session_id: str | None, request: gr.Request):
            if not session_id or not store.may_use(session_id, user_of(request)):
                gr.Warning("Pick a conversation first.")
                return [gr.skip(), gr.skip(), *[gr.skip()] * len(panel_outputs)]
            advisor = ctx.advisor
            messages = h.history_messages(advisor.session(session_id))
            view = h.panel_view(advisor, session_id, export_dir=h.export_dir(ctx.settings))
            return [messages, session_id, *_panel_outputs(view)]

        refresh_btn.click(list_conversations, None, [conversations], api_name="conversations")
        demo.load(list_conversations, None, [conversations], api_visibility="undocumented")
        for event in submit_events:
            event.then(list_conversations, None, [conversations], show_progress="hidden", api_visibility="undocumented")
        open_btn.click(open_conversation, [conversations], [chatbot, session, *panel_outputs], api_name="open_conversation")
    return demo


def _panel_component(f: h.PanelField):
    kwargs = {"label": f.label, "info": f.info or None, "elem_id": f.elem_id}
    if f.kind == "choice":
        return gr.Dropdown(choices=h.field_choices(f), allow_custom_value=False, filterable=True, **kwargs)
    if f.kind == "bool":
        return gr.Checkbox(**kwargs)
    return gr.Number(precision=0 if f.kind == "int" else None, **kwargs)


def _panel_outputs(view: h.PanelView) -> list:
    return [
        view.figures_markdown,
        *view.values,
        view.note,
        view.cumulative,
        view.breakdown,
        view.tornado,
        view.band,
        view.assumption_rows,
        gr.DownloadButton(value=view.report_path, interactive=view.report_path is not None),
        gr.DownloadButton(value=view.csv_path, interactive=view.csv_path is not None),
    ]


def build_ui_app(settings: Settings, holder: Any, store: Any) -> FastAPI:
    """A FastAPI app holding the main Gradio app at "/" and the chat-only view at "/embed"."""
    ctx = UiContext(settings, holder, store)
    host = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    export_root = h.export_dir(settings)
    export_root.mkdir(parents=True, exist_ok=True)
    common = {
        "footer_links": [],
        "run_history": False,
        "show_error": True,
        "max_file_size": settings.max_upload_bytes,
        "allowed_paths": [str(export_root)],
        "css": CSS,
        "theme": gr.themes.Soft(),
        "ssr_mode": False,
        "mcp_server": False,
    }
    gr.mount_gradio_app(host, build_blocks(ctx, embed=True), path="/embed", **common)
    gr.mount_gradio_app(host, build_blocks(ctx, embed=False), path="/", **common)
    return host
