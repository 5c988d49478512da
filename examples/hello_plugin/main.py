"""你好回复：收到触发词时回复问候 / Hello Reply: answer a greeting.

WXAUTO-MGT 从 plugin.json 的 ``entry_point`` 加载 ``class_name`` 指定的类。
/ WXAUTO-MGT loads the class named by ``class_name`` from the file named by ``entry_point``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

DEFAULT_TRIGGER = "你好"
DEFAULT_REPLY = "你好！有什么可以帮你？ / Hello! How can I help?"


class HelloReplyPlugin:
    """插件入口类 / The plugin's entry class (``class_name`` in plugin.json)."""

    def __init__(self, config: Optional[Dict[str, Any]] = None) -> None:
        config = config or {}  # 读取配置：需要 config.read / reading configuration needs config.read
        self.trigger = str(config.get("trigger", DEFAULT_TRIGGER))
        self.reply = str(config.get("reply", DEFAULT_REPLY))

    def process_message(self, message: str) -> Optional[str]:
        """返回要发送的回复，或 ``None`` 表示不回复 / The reply to send, or ``None`` to stay silent."""
        if message.strip() != self.trigger:
            return None
        return self.reply
