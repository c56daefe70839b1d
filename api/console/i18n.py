"""The console's interface text in Russian and English; `?lang=en` or the `lang` cookie chooses."""

from __future__ import annotations

LANGUAGES = ("ru", "en")
DEFAULT = "ru"

TEXT: dict[str, tuple[str, str]] = {  # key: (ru, en)
    "app": ("Отклик — консоль", "Otklik console"),
    "inbox": ("Входящие", "Inbox"),
    "paste": ("Вставить упоминание", "Paste a mention"),
    "cases": ("Обращения", "Cases"),
    "knowledge": ("Голос и знания", "Voice and knowledge"),
    "evals": ("Оценки", "Evals"),
    "reports": ("Отчёты", "Reports"),
    "sign_in": ("Войти", "Sign in"),
    "sign_out": ("Выйти", "Sign out"),
    "api_key": ("API-ключ", "API key"),
    "bad_key": ("Ключ не подходит или отозван", "The key is unknown or revoked"),
    "signed_in_as": ("Ключ", "Key"),
    "brand": ("Бренд", "Brand"),
    "sentiment": ("Тональность", "Sentiment"),
    "kind": ("Тип негатива", "Negative kind"),
    "platform": ("Площадка", "Platform"),
    "status": ("Статус", "Status"),
    "decision": ("Решение", "Decision"),
    "any": ("все", "any"),
    "filter": ("Показать", "Filter"),
    "written": ("Написано", "Written"),
    "author": ("Автор", "Author"),
    "text": ("Текст", "Text"),
    "rating": ("Оценка", "Rating"),
    "url": ("Ссылка", "URL"),
    "case": ("Обращение", "Case"),
    "due": ("Срок", "Due"),
    "overdue": ("просрочено", "overdue"),
    "no_mentions": ("Упоминаний нет", "No mentions"),
    "earlier": ("← Новее", "← Newer"),
    "later": ("Старее →", "Older →"),
    "of": ("из", "of"),
    "mention": ("Упоминание", "Mention"),
    "classification": ("Классификация", "Classification"),
    "rationale": ("Обоснование", "Rationale"),
    "matrix_cell": ("Клетка матрицы", "Matrix cell"),
    "reasons": ("Причины", "Reasons"),
    "draft": ("Черновик", "Draft"),
    "checks": ("Проверки", "Checks"),
    "passed": ("пройдена", "passed"),
    "failed": ("не пройдена", "failed"),
    "warnings": ("Предупреждения", "Warnings"),
    "cited": ("Процитированные знания", "Knowledge cited"),
    "retrieved": ("Использованные примеры и факты", "Retrieved facts and replies"),
    "no_draft": ("Черновика нет", "No draft"),
    "regenerate": ("Составить заново", "Regenerate"),
    "save_edit": ("Сохранить правку", "Save edit"),
    "approve": ("Одобрить", "Approve"),
    "reject": ("Отклонить", "Reject"),
    "reason": ("Причина", "Reason"),
    "published": ("Опубликовано", "Mark published"),
    "copy_text": ("Копировать", "Copy"),
    "copied": ("Скопировано", "Copied"),
    "approved_reply": ("Одобренный ответ", "Approved reply"),
    "rejected_reason": ("Причина отказа", "Rejection reason"),
    "error": ("Ошибка", "Error"),
    "draft_it": ("Составить ответ", "Draft a reply"),
    "required": ("Заполните поле", "This field is required"),
    "optional": ("необязательно", "optional"),
    "voice": ("Голос бренда", "Voice guide"),
    "matrix": ("Матрица реакций", "Reaction matrix"),
    "facts": ("Факты", "Facts"),
    "save": ("Сохранить", "Save"),
    "delete": ("Удалить", "Delete"),
    "add_fact": ("Добавить факт", "Add a fact"),
    "saved": ("Сохранено: следующий черновик учтёт изменение", "Saved: the next draft uses the change"),
    "lines_hint": ("по одному на строку", "one per line"),
    "version": ("версия", "version"),
    "resolve": ("Решено", "Resolve"),
    "wait": ("Ждём клиента", "Waiting for customer"),
    "reopen": ("Открыть снова", "Reopen"),
    "note": ("Что сделано", "What was done"),
    "only_overdue": ("только просроченные", "overdue only"),
    "no_cases": ("Обращений нет", "No cases"),
    "eval_runs": ("Прогоны оценки", "Eval runs"),
    "no_runs": ("Прогонов нет в", "No eval runs in"),
    "dataset": ("Набор", "Dataset"),
    "finished": ("Завершён", "Finished"),
    "summary": ("Итоги", "Summary"),
    "open_report": ("Отчёт", "Report"),
    "period_from": ("С", "From"),
    "period_to": ("По", "To"),
    "show_report": ("Открыть отчёт", "Open the report"),
    "forbidden": ("Нет доступа", "Forbidden"),
    "forbidden_text": (
        "Этот ключ не даёт доступа к этой странице или записи.",
        "This key does not give access to this page or record.",
    ),
    "not_found": ("Не найдено", "Not found"),
    "back": ("К входящим", "Back to the inbox"),
    "csrf": ("Форма устарела: обновите страницу и повторите", "The form is stale: reload the page and try again"),
}


def choose(query: str | None, cookie: str | None) -> str:
    """The language asked for in the query, else the cookie's, else Russian."""
    return next((lang for lang in (query, cookie) if lang in LANGUAGES), DEFAULT)


def translator(lang: str) -> dict[str, str]:
    """The texts in one language. Templates read them as `t.key`, so no key may be the name of a
    dict method (`copy`, `items`, `get`...): Jinja would find the method first (a test checks)."""
    index = LANGUAGES.index(lang)
    return {key: texts[index] for key, texts in TEXT.items()}
