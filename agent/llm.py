"""The LLM brain: any LangChain chat model named by ``Settings.llm`` ('provider:model'), optionally at an
OpenAI-compatible endpoint (vLLM, llama.cpp server, Ollama). Building it never raises: a missing
package or key is reported as a reason, and the advisor answers with the offline brain."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from tools.settings import Settings

# Providers init_chat_model knows that take an OpenAI-style base_url / api_key.
_OPENAI_COMPATIBLE = {"openai", "vllm", "llamacpp", "llama.cpp", "lmstudio", "local", "compatible"}


@dataclass(frozen=True)
class LlmChoice:
    model: BaseChatModel | None
    reason: str | None = None
    """Why there is no model although one was configured (shown to the user as a notice)."""


def build_chat_model(settings: Settings) -> LlmChoice:
    """The configured chat model, or None with the reason it could not be built."""
    if not settings.llm:
        return LlmChoice(None)
    spec = settings.llm.strip()
    provider, _, model = spec.partition(":")
    if not model:
        provider, model = "", spec
    provider = provider.lower()
    kwargs: dict = {"timeout": settings.llm_timeout_s, "max_retries": 0}
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    try:
        from langchain.chat_models import init_chat_model

        if settings.llm_base_url and (provider in _OPENAI_COMPATIBLE or not provider):
            # A local endpoint usually needs no key, but the OpenAI client insists on one.
            return LlmChoice(
                init_chat_model(
                    model, model_provider="openai", base_url=settings.llm_base_url,
                    api_key=key or "not-needed", temperature=0, **kwargs,
                )
            )  # fmt: skip
        if provider == "ollama":
            kwargs = {"base_url": settings.llm_base_url} if settings.llm_base_url else {}
        elif settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        if key:
            kwargs["api_key"] = key
        return LlmChoice(init_chat_model(model, model_provider=provider or None, **kwargs))
    except Exception as error:  # noqa: BLE001 - missing provider package, missing key, unknown provider
        first = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        return LlmChoice(None, f"the configured LLM {spec!r} is unavailable ({first})")
