"""What the behaviour analysis knows about the world: sources, sinks, persistence places, disguised commands.

Data only. Paths are matched after :func:`wxreg.review.behaviour.fold.normalise_path` (lower case, ``/``
separators, ``~`` for the home directory, ``%NAME%`` for an environment variable), so one pattern covers
``os.path.join(os.environ["APPDATA"], "Tencent")``, ``Path.home() / "AppData/Roaming/Tencent"`` and
``"C:\\Users\\x\\AppData\\Roaming\\Tencent"``.
"""

from __future__ import annotations

import functools
import re

Table = tuple[tuple[str, str], ...]
"""``(label, regular expression)`` pairs, searched in order with :func:`labels`."""


def _table(*pairs: tuple[str, str]) -> Table:
    return pairs


# --- sources ---------------------------------------------------------------------------------------
# Files and folders of credentials and keys, and other applications' data (WeChat's first).
SENSITIVE_PATHS: Table = _table(
    ("SSH keys (~/.ssh)", r"(^|/)\.ssh(/|$)"),
    ("AWS credentials (~/.aws)", r"(^|/)\.aws(/|$)"),
    ("cloud/tool credentials", r"(^|/)(\.netrc|_netrc|\.git-credentials|\.pypirc|\.npmrc|\.docker/config\.json"
     r"|\.kube/config|\.gnupg|\.config/gcloud|\.azure|\.config/gh/hosts\.yml)(/|$)"),
    ("browser profile", r"(google/chrome|chromium|microsoft/edge|bravesoftware|mozilla/firefox|\.mozilla"
     r"|\.config/google-chrome|opera software|yandex/yandexbrowser)(/|$)|(^|/)(login data|cookies|local state"
     r"|web data|key4\.db|logins\.json)$"),
    ("keychain / keyring", r"library/keychains|\.local/share/keyrings|microsoft/(credentials|protect)(/|$)"),
    ("WeChat data", r"wechat files|xwechat_files|tencent/(wechat|xwechat|weixin)|(^|/)tencent(/|$)"
     r"|com\.tencent\.xinwechat|(^|/)msg/multi(/|$)|(^|/)(micromsg|enmicromsg)\.db"),
    ("other messenger / wallet data", r"telegram desktop/tdata|(^|/)tdata(/|$)|discord/local storage"
     r"|electrum/wallets|exodus/exodus\.wallet|(^|/)wallet\.dat$"),
    ("system secrets", r"^/etc/(shadow|sudoers)|system32/config/sam"),
)

# Environment variables that belong to other tools' credentials (not a setting the plugin owns).
FOREIGN_ENV = re.compile(
    r"^(AWS_(SECRET_ACCESS_KEY|ACCESS_KEY_ID|SESSION_TOKEN)|GITHUB_TOKEN|GH_TOKEN|GITLAB_TOKEN|NPM_TOKEN"
    r"|PYPI_TOKEN|TWINE_PASSWORD|AZURE_[A-Z_]*(SECRET|KEY|PASSWORD)|GOOGLE_APPLICATION_CREDENTIALS"
    r"|DOCKER_PASSWORD|SSH_AUTH_SOCK|KUBECONFIG|HEROKU_API_KEY|DIGITALOCEAN_[A-Z_]*TOKEN)$"
)
ENVIRON = frozenset({"os.environ", "os.environb", "posix.environ", "nt.environ", "os._Environ"})

# Calls that return sensitive data; "kind" groups them in messages.
SOURCE_CALLS: dict[str, tuple[str, str]] = {
    "os.environ.copy": ("environment", "os.environ.copy()"),
    "os.environ.items": ("environment", "os.environ.items()"),
    "os.environ.keys": ("environment", "os.environ.keys()"),
    "os.environ.values": ("environment", "os.environ.values()"),
    "pyperclip.paste": ("clipboard", "pyperclip.paste()"),
    "clipboard.paste": ("clipboard", "clipboard.paste()"),
    "win32clipboard.GetClipboardData": ("clipboard", "win32clipboard.GetClipboardData()"),
    "PIL.ImageGrab.grabclipboard": ("clipboard", "ImageGrab.grabclipboard()"),
    "PIL.ImageGrab.grab": ("screen", "ImageGrab.grab()"),
    "pyautogui.screenshot": ("screen", "pyautogui.screenshot()"),
    "pyscreenshot.grab": ("screen", "pyscreenshot.grab()"),
    "mss.mss": ("screen", "mss.mss()"),
    "d3dshot.create": ("screen", "d3dshot.create()"),
    "keyboard.record": ("keyboard", "keyboard.record()"),
    "keyboard.read_key": ("keyboard", "keyboard.read_key()"),
    "keyboard.read_event": ("keyboard", "keyboard.read_event()"),
    "keyboard.get_typed_strings": ("keyboard", "keyboard.get_typed_strings()"),
    "win32api.GetAsyncKeyState": ("keyboard", "GetAsyncKeyState()"),
    "win32api.GetKeyState": ("keyboard", "GetKeyState()"),
    "socket.gethostname": ("inventory:host", "socket.gethostname()"),
    "platform.node": ("inventory:host", "platform.node()"),
    "os.uname": ("inventory:host", "os.uname()"),
    "platform.uname": ("inventory:host", "platform.uname()"),
    "getpass.getuser": ("inventory:user", "getpass.getuser()"),
    "os.getlogin": ("inventory:user", "os.getlogin()"),
    "socket.gethostbyname": ("inventory:ip", "socket.gethostbyname()"),
    "socket.gethostbyname_ex": ("inventory:ip", "socket.gethostbyname_ex()"),
    "socket.getaddrinfo": ("inventory:ip", "socket.getaddrinfo()"),
    "uuid.getnode": ("inventory:ip", "uuid.getnode()"),
    "psutil.net_if_addrs": ("inventory:ip", "psutil.net_if_addrs()"),
    "netifaces.ifaddresses": ("inventory:ip", "netifaces.ifaddresses()"),
}
# Method names that read the clipboard or grab the screen whatever the receiver (Qt, tkinter, wx ...).
SOURCE_METHODS: dict[str, tuple[str, str]] = {
    "clipboard_get": ("clipboard", ".clipboard_get()"),
    "GetClipboardData": ("clipboard", ".GetClipboardData()"),
    "grabWindow": ("screen", ".grabWindow()"),
    "GetAsyncKeyState": ("keyboard", ".GetAsyncKeyState()"),
    "SetWindowsHookExA": ("keyboard", ".SetWindowsHookExA()"),
    "SetWindowsHookExW": ("keyboard", ".SetWindowsHookExW()"),
}
# Registration calls whose callbacks receive keystrokes: the callback's parameters are sources.
CALLBACK_SOURCES: dict[str, str] = {
    "pynput.keyboard.Listener": "pynput.keyboard.Listener",
    "keyboard.on_press": "keyboard.on_press",
    "keyboard.on_release": "keyboard.on_release",
    "keyboard.hook": "keyboard.hook",
    "keyboard.on_press_key": "keyboard.on_press_key",
}
# Environment variables that only say who and where the user is (one half of an inventory).
INVENTORY_ENV: dict[str, str] = {
    "USERNAME": "inventory:user", "USER": "inventory:user", "LOGNAME": "inventory:user",
    "COMPUTERNAME": "inventory:host", "HOSTNAME": "inventory:host", "USERDOMAIN": "inventory:host",
}  # fmt: skip
DECODERS = frozenset({
    "base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.urlsafe_b64decode", "base64.a85decode",
    "base64.b85decode", "base64.decodebytes", "base64.standard_b64decode", "binascii.a2b_base64",
    "binascii.unhexlify", "binascii.a2b_hex", "bytes.fromhex", "bytearray.fromhex", "codecs.decode",
    "zlib.decompress", "gzip.decompress", "bz2.decompress", "lzma.decompress",
})  # fmt: skip

# --- sinks -----------------------------------------------------------------------------------------
NETWORK_MODULES = frozenset({
    "requests", "httpx", "aiohttp", "urllib", "urllib3", "http", "socket", "smtplib", "ftplib", "websocket",
    "websockets", "xmlrpc", "pycurl", "httplib2", "treq", "telnetlib", "poplib", "imaplib", "nntplib",
    "paramiko", "grpc", "tornado", "asyncio", "ssl", "webbrowser", "socketserver", "logging",
})  # fmt: skip
# Methods that send whatever the receiver (a session, a socket, an SMTP connection ...).
SEND_METHODS = frozenset({
    "post", "put", "patch", "request", "send", "sendall", "sendto", "sendmail", "send_message", "urlopen",
    "storbinary", "storlines", "upload", "send_str", "send_bytes", "send_json", "ws_connect", "Request",
})  # fmt: skip
# Methods that send only when the receiver is known to be a network client (``dict.get`` is not).
CLIENT_ONLY_METHODS = frozenset({"get", "head", "delete", "options", "write", "write_message"})
PROCESS_CALLS = frozenset({
    "os.system", "os.popen", "subprocess.run", "subprocess.call", "subprocess.check_call",
    "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput",
    "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell", "pty.spawn", "os.startfile",
    "win32api.ShellExecute", "win32api.WinExec", "commands.getoutput", "os.posix_spawn", "os.posix_spawnp",
})  # fmt: skip
PROCESS_PREFIXES = ("os.exec", "os.spawn")
# Calls that only build or inspect a path: a persistence place reaches them but is used elsewhere.
PATH_BUILDERS = frozenset({
    "os.path.join", "posixpath.join", "ntpath.join", "os.path.expanduser", "os.path.expandvars",
    "os.path.abspath", "os.path.normpath", "os.path.realpath", "os.path.dirname", "os.path.basename",
    "os.fspath", "str", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath",
    "pathlib.PureWindowsPath", "pathlib.PurePosixPath", "os.path.exists", "os.path.isfile", "os.path.isdir",
    "os.path.getsize", "os.path.getmtime", "os.stat", "os.listdir", "os.scandir", "os.walk", "glob.glob",
    "print", "len", "repr", "format", "isinstance",
})  # fmt: skip
READ_METHODS = frozenset({
    "joinpath", "expanduser", "resolve", "absolute", "exists", "is_file", "is_dir", "read_text", "read_bytes",
    "stat", "iterdir", "glob", "rglob", "with_name", "with_suffix", "relative_to", "as_posix", "lower", "upper",
    "strip", "replace", "format", "startswith", "endswith", "split", "encode", "decode", "join",
})  # fmt: skip

# --- persistence ------------------------------------------------------------------------------------
PERSISTENCE_PATHS: Table = _table(
    ("Windows Startup folder", r"start menu/programs/startup|shell:(common )?startup"),
    ("XDG autostart", r"\.config/autostart(/|$)|^/etc/xdg/autostart"),
    ("shell rc / profile file", r"(^|/)(\.bashrc|\.bash_profile|\.bash_login|\.profile|\.zshrc|\.zprofile"
     r"|\.zshenv|\.zlogin|\.cshrc|\.tcshrc|\.login|config\.fish)$|^/etc/(profile|bash\.bashrc|zsh/)"
     r"|^/etc/profile\.d(/|$)|^/etc/rc\.local$|(^|/)(microsoft\.powershell_profile|profile)\.ps1$"),
    ("cron", r"^/etc/cron|^/var/spool/cron|(^|/)crontabs?(/|$)|^/etc/anacrontab"),
    ("systemd unit", r"(^|/)systemd/(user|system)(/|$)|\.config/systemd(/|$)|\.(service|timer)$"),
    ("launchd plist", r"library/launch(agents|daemons)(/|$)"),
    ("Python start-up hook", r"(^|/)(sitecustomize|usercustomize)\.py$|\.pth$"),
    ("Windows logon script", r"system32/grouppolicy|/tasks/|system32/tasks"),
)
REGISTRY_RUN = re.compile(
    r"currentversion(/|\\)+(run|runonce|runservices|runservicesonce|policies(/|\\)+explorer(/|\\)+run)(\b|$)"
    r"|winlogon|image file execution options|currentversion(/|\\)+explorer(/|\\)+(user )?shell folders"
)
PERSISTENCE_COMMANDS: Table = _table(
    ("scheduled task", r"\bschtasks(\.exe)?\b.*\/create|register-scheduledtask|new-scheduledtask"),
    ("cron", r"\bcrontab\b"),
    ("systemd unit", r"\bsystemctl\b.*\benable\b"),
    ("launchd", r"\blaunchctl\b.*\b(load|bootstrap|submit)\b"),
    ("Run registry key", r"\breg(\.exe)?\s+add\b.*currentversion\\+run|new-itemproperty.*currentversion\\+run"),
    ("login item", r"login item"),
)
PERSISTENCE_CALLS: dict[str, str] = {
    "crontab.CronTab": "cron (python-crontab)",
    "win32com.client.Dispatch:schedule.service": "scheduled task (Schedule.Service)",
}

# --- disguised commands ------------------------------------------------------------------------------
LOLBINS = frozenset({
    "certutil", "bitsadmin", "mshta", "regsvr32", "rundll32", "wmic", "msiexec", "cscript", "wscript",
    "installutil", "regasm", "regsvcs", "msbuild", "cmstp", "odbcconf", "hh", "forfiles", "pcalua",
    "msxsl", "ieexec", "esentutl", "extrac32", "makecab", "finger",
    "scriptrunner", "syncappvpublishingserver", "mavinject", "presentationhost", "xwizard",
})  # fmt: skip
# Those no honest plugin names anywhere in a command line (also behind ``cmd /c`` or ``start``).
STRONG_LOLBINS = frozenset({"certutil", "bitsadmin", "mshta", "regsvr32", "rundll32", "cmstp", "installutil",
                            "regasm", "regsvcs", "msxsl", "odbcconf", "mavinject", "syncappvpublishingserver"})
DISGUISED_COMMANDS: Table = _table(
    ("PowerShell encoded command", r"\b(powershell|pwsh)(\.exe)?\b.*\s[-/]e(c|n|nc|nco|ncod|ncode|ncoded"
     r"|ncodedc\w*)?\s"),
    ("PowerShell download-and-run", r"(downloadstring|downloadfile|invoke-webrequest|\biwr\b|invoke-restmethod"
     r"|\birm\b|net\.webclient|start-bitstransfer).*(\biex\b|invoke-expression|\|\s*(iex|invoke-expression))"
     r"|(\biex\b|invoke-expression).*(downloadstring|\biwr\b|invoke-webrequest|net\.webclient)"),
    ("PowerShell base64", r"frombase64string"),
    ("download piped to a shell", r"\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+)?(ba|z|da|k|c|tc|fi)?sh\b"
     r"|\b(curl|wget)\b[^|;&]*\|\s*(python[0-9.]*|perl|ruby|php|node)\b"),
    ("download then run", r"\b(curl|wget)\b[^;&|]*(-o|--output|-O)\s*\S+\s*(;|&&)\s*(sudo\s+)?(sh|bash|chmod|\./)"),
)

# --- endpoints ----------------------------------------------------------------------------------------
URL = re.compile(r"\b(?:https?|wss?|ftp|ftps|smtp|smtps)://[^\s'\"<>`]+", re.IGNORECASE)
IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$")
WEBHOOKS: Table = _table(
    ("Discord webhook", r"(^|\.)discord(app)?\.com/api(/v\d+)?/webhooks"),
    ("Telegram bot API", r"(^|\.)api\.telegram\.org/bot"),
    ("Slack webhook", r"(^|\.)hooks\.slack\.com/"),
    ("DingTalk robot", r"(^|\.)oapi\.dingtalk\.com/robot"),
    ("WeCom robot", r"(^|\.)qyapi\.weixin\.qq\.com/cgi-bin/webhook"),
    ("Feishu / Lark bot", r"(^|\.)open\.(feishu\.cn|larksuite\.com)/open-apis/bot"),
    ("request catcher / paste service", r"(^|\.)(webhook\.site|requestbin\.\w+|pipedream\.net|ngrok\.io"
     r"|ngrok-free\.app|ngrok\.app|interact\.sh|oast\.(fun|pro|live|site|online|me)|burpcollaborator\.net"
     r"|pastebin\.com/api|transfer\.sh|hastebin\.com|paste\.ee)"),
)
# Host arguments of connection constructors, by position (0 unless said otherwise).
HOST_CALLS = frozenset({
    "socket.create_connection", "http.client.HTTPConnection", "http.client.HTTPSConnection", "smtplib.SMTP",
    "smtplib.SMTP_SSL", "ftplib.FTP", "ftplib.FTP_TLS", "telnetlib.Telnet", "poplib.POP3", "poplib.POP3_SSL",
    "imaplib.IMAP4", "imaplib.IMAP4_SSL", "asyncio.open_connection", "nntplib.NNTP", "paramiko.SSHClient.connect",
})  # fmt: skip


# --- one search per table, compiled on first use ------------------------------------------------------
@functools.cache
def _either(table: Table) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for _, pattern in table))


def labels(table: Table, value: str) -> list[str]:
    """The labels of ``table`` whose pattern is found in ``value``, in table order. One combined search
    first, so the common case (nothing found) costs one regex pass however long the table is; a table's
    own patterns are compiled only when something matched (a review of an honest plugin never needs most)."""
    if _either(table).search(value) is None:
        return []
    return [label for label, pattern in table if re.search(pattern, value)]
