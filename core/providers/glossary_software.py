"""English senses of Chinese software words that CC-CEDICT lacks, written as software documentation
uses them: 文字 is "text" in 语音转文字 (speech to text), 指标 "metric", 密钥 "key". CC-CEDICT is a
general dictionary; a knowledge base of company documents is full of these words, and without them an
English question meets a Chinese line about the same thing with no word in common. Each sense comes
first among the word's senses (``core.providers.glossary``)."""

from __future__ import annotations

SOFTWARE_SENSES: dict[str, str] = {
    # words CC-CEDICT has, without their software sense
    "文字": "text",
    "指标": "metric",
    "延迟": "latency",
    "并发": "concurrency; concurrent",
    "识别": "recognition; to recognize",
    "端点": "endpoint",
    "音色": "voice",
    "吞吐": "throughput",
    "调用": "to call; call",
    "前端": "frontend; front end",
    "推送": "push; to push",
    "白名单": "allowlist; allow list; whitelist",
    "监控": "monitoring; to monitor",
    # words it does not have
    "状态码": "status code",
    "报错": "error; to report an error",
    "埋点": "instrumentation; tracking",
    "告警": "alert; alerting",
    "时延": "latency",
    "吞吐量": "throughput",
    "限流": "rate limiting; throttling",
    "负载均衡": "load balancing",
    "回调": "callback",
    "长连接": "persistent connection",
    "流式": "streaming; stream",
    "分片": "shard; sharding",
    "分块": "chunk; chunking",
    "向量库": "vector database",
    "向量化": "vectorization; to vectorize",
    "词元": "token",
    "提示词": "prompt",
    "上下文窗口": "context window",
    "多模态": "multimodal",
    "文生图": "text-to-image",
    "图生图": "image-to-image",
    "密钥": "key; secret key",
    "私钥": "private key",
    "公钥": "public key",
    "计费": "billing; charging",
    "工单": "ticket",
    "接口文档": "API documentation",
    "返回值": "return value",
    "环境变量": "environment variable",
    "配置文件": "configuration file; config file",
    "重试": "retry; to retry",
    "定时任务": "scheduled task; cron job",
    "显存": "GPU memory; VRAM",
    "鉴权": "authentication; auth",
    "更新记录": "changelog; update log",
    "更新日志": "changelog; update log",
}


def with_software_senses(entries: dict[str, str], max_senses: int) -> dict[str, str]:
    """``entries`` with each software sense first among its word's senses (at most ``max_senses``)."""
    merged = dict(entries)
    for word, senses in SOFTWARE_SENSES.items():
        known = [sense for sense in entries.get(word, "").split("; ") if sense]
        ordered = list(dict.fromkeys(senses.split("; ") + known))
        merged[word] = "; ".join(ordered[:max_senses])
    return merged
