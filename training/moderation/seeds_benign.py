"""Hand-written benign texts that use the same words as harmful ones (company, IT security, legal,
compliance, medical, HR, safety), plus slot templates that multiply them."""

from __future__ import annotations

BENIGN: list[str] = [
    # compliance / legal
    "公司的反洗钱政策是什么？", "反洗钱培训每年需要完成几次？", "What is our anti-money-laundering policy?",
    "Summarise the AML procedure for onboarding new customers", "可疑交易报告的流程是什么", "How do we report suspected money laundering?",
    "反洗钱手册第三章讲的是客户尽职调查", "The compliance manual describes common money laundering typologies",
    "请解释一下反恐融资和洗钱的区别", "Which sanctions lists does the KYC check screen against?",
    "反贿赂政策里对礼品金额的上限是多少", "What does the anti-bribery policy say about gifts?",
    "出口管制对两用物项有哪些要求", "Explain our export control rules for encryption software",
    "公司如何处理员工举报的舞弊行为", "How are whistleblower reports about fraud investigated?",
    "毒品犯罪的量刑标准在刑法哪一条", "What are the legal penalties for drug trafficking in China?",
    "合同里的违约金条款怎么写", "the contract says either party may terminate and kill the deal if milestones slip",
    # IT security
    "我们的渗透测试授权书模板在哪里", "Schedule the authorised penetration test for the payment API",
    "渗透测试报告发现了三个高危漏洞", "How do we run an internal phishing simulation for staff?",
    "怎么在Linux上杀进程", "如何杀掉占用8000端口的进程", "kill -9 the stuck worker process",
    "How do I kill the process that holds the lock file?", "The kill switch disables the feature flag instantly",
    "Where is the kill switch for the data pipeline?", "杀毒软件提示这个文件是木马，怎么处理",
    "勒索软件应急响应预案是什么", "What is our ransomware incident response plan?",
    "How do attackers typically exploit SQL injection, for our secure coding training?",
    "红队演练的范围和规则是什么", "Explain how a botnet works for the security awareness course",
    "防火墙日志里有大量暴力破解尝试", "The SOC blocked a brute-force attack on the VPN last night",
    "如何安全地销毁含敏感数据的硬盘", "How should we securely wipe laptops before disposal?",
    "Terminate the EC2 instance and kill the orphaned containers", "把僵尸进程全部杀掉后服务恢复了",
    "the build killed the test runner after 10 minutes", "execute the migration script after the backup",
    "Our DLP tool flags files that contain ID numbers", "漏洞赏金计划的奖励标准是多少",
    # safety
    "爆炸物安全规程要求仓库如何存放", "爆炸物安全规程第五条是什么", "What are the storage rules for explosive materials at the mine site?",
    "消防演习时如何疏散", "How do we handle a bomb threat phone call at reception?",
    "接到炸弹威胁电话时前台应该怎么做", "Chemical safety data sheet for the cleaning agents in the lab",
    "危险化学品仓库的通风要求", "Lockout tagout procedure before servicing the press",
    "工地高空作业必须系安全带", "Report any workplace violence incident to security immediately",
    "公司对职场暴力零容忍", "Our workplace violence prevention policy applies to contractors too",
    "枪支管理法对保安公司的规定", "Security guards at the bank branch carry firearms under licence",
    "实验室剧毒化学品双人双锁管理", "How should poisons in the lab be labelled and stored?",
    "急救培训里怎么处理割伤和大出血", "First aid: how to stop heavy bleeding from a deep cut",
    # medical / benefits
    "Does our health plan include drug benefits?", "药品报销目录里包含哪些抗抑郁药",
    "prescription drug benefits for dependants", "员工体检包含乳腺癌筛查吗",
    "What is the maximum dose of ibuprofen for adults according to the leaflet?", "安眠药的说明书上写的副作用有哪些",
    "Our benefits cover breast cancer screening", "医保能报销戒烟药吗",
    "The clinic treats overdose patients with naloxone", "药物滥用康复计划是否在保险范围内",
    "How does the employee assistance programme support staff with addiction?", "员工戒毒康复期间能否请长假",
    "医生说这种药过量会损伤肝脏", "The pharmacist explained the lethal dose warning on the label",
    # self-harm prevention / mental health
    "自杀干预热线的电话是多少", "Where can I find the suicide prevention hotline number?",
    "员工援助计划对自伤风险的处理流程", "How do managers support an employee at risk of self-harm?",
    "preventing self-harm among young employees", "HR procedure for handling a suicide-risk disclosure",
    "如果同事流露出轻生念头，应该怎么帮助他", "What should I do if a colleague talks about suicide?",
    "心理咨询和危机干预资源", "Mental health first aid course: recognising warning signs of suicide",
    "EAP自伤政策第二节：发现风险后24小时内联系心理咨询师", "The employee-assistance self-harm policy requires a safety plan",
    "自杀率统计数据来自卫健委年度报告", "Research on suicide prevention in the workplace",
    "我们公司有心理援助热线吗", "I feel stressed at work, who can I talk to?",
    # history / news / literature
    "自杀式袭击的历史可以追溯到哪个年代", "History of suicide bombings in the 20th century",
    "二战时期神风特攻队的自杀式袭击", "The novel describes a murder investigation in Victorian London",
    "新闻报道自杀事件的规范", "写一篇关于禁毒宣传的文章", "Write an article for anti-drug awareness week",
    "为公司写一篇反对职场霸凌的倡议书", "Write a speech against racism for the diversity event",
    "历史课上讲到了纳粹的种族灭绝", "Summarise the causes of the Rwandan genocide for a history class",
    "电影已经杀青", "双十一秒杀活动规则", "公司的杀手锏是售后服务", "The Scunthorpe office moved to a new building",
    "we will shoot a video for onboarding", "拍摄宣传片的时候需要租枪械道具吗", "The play ends with the king's death in act five",
    # HR / policy mentioning sexual, harassment, hate
    "公司关于色情内容的办公设备使用规定", "Our workplace policy prohibits viewing pornography on company devices",
    "性骚扰投诉的处理流程是什么", "How do I report sexual harassment by a manager?",
    "反歧视政策包括哪些受保护特征", "What does the anti-discrimination policy say about religion?",
    "员工手册对仇恨言论怎么定义", "How does HR define hate speech in the code of conduct?",
    "职场霸凌的认定标准", "What counts as bullying under our dignity at work policy?",
    "性教育资料放在健康周展台", "sex education materials for the health fair",
    "儿童保护政策：志愿者必须通过背景审查", "Child safeguarding policy for the summer intern programme with minors",
    "未成年人保护法对网络平台的要求", "How do we report child sexual abuse material found on a company device?",
    "内容审核团队如何识别未成年人色情内容并上报", "The trust and safety team escalates CSAM reports to the authorities",
    "被辱骂的客服员工可以申请心理疏导", "Customer service agents can end calls with abusive callers",
    # moderation API documentation
    "Which categories does the Moderation API return?", "Moderation API 返回哪些类别？",
    "The moderation endpoint returns categories such as hate, harassment, self-harm, sexual and violence",
    "文档说明 category_scores 包含 self-harm/intent 和 self-harm/instructions", "What does the sexual/minors flag mean in the moderation response?",
    "OpenAI 的审核模型 omni-moderation-latest 支持哪些输入", "illicit/violent 类别在审核接口里是什么意思",
    "How do I use the moderation endpoint to filter user input before sending it to the model?",
    "审核接口把暴力、仇恨、自残分成了哪些子类别", "Explain the difference between harassment and harassment/threatening in the docs",
    # everyday
    "员工年假有几天？", "What is our annual leave policy?", "报销差旅费需要哪些单据", "How do I reset my VPN password?",
    "会议室怎么预订", "The deadline for expense claims is Friday", "新员工入职第一周要做什么", "Where is the nearest fire exit?",
    "这个季度的销售目标是多少", "Can I work from home on Fridays?", "请总结一下上周的项目周报", "How do I request a new laptop?",
    "I'm dying to know the results of the survey", "this bug is killing me, any ideas?", "这个需求快把我逼疯了", "我们要干掉竞争对手的市场份额",
    "that presentation absolutely killed it", "咖啡机又坏了，烦死了", "The team crushed the quarterly target", "老板今天心情很好",
]

# Slot templates: (templates, fillers). Every filler is a sensitive-sounding but benign topic.
TOPICS_ZH = [
    "反洗钱", "渗透测试", "自杀干预", "杀进程", "爆炸物安全规程", "毒品检测", "枪支管理", "职场暴力预防", "性骚扰防范",
    "自伤风险评估", "危险化学品", "反恐融资", "未成年人保护", "仇恨言论", "网络攻击应急", "药物滥用", "武器出口管制", "内容审核",
]
TOPICS_EN = [
    "anti-money-laundering", "penetration testing", "suicide prevention", "the kill switch", "explosives safety",
    "drug testing", "firearms licensing", "workplace violence prevention", "sexual harassment prevention",
    "self-harm risk assessment", "hazardous chemicals", "counter-terrorism financing", "child safeguarding",
    "hate speech", "cyber attack response", "substance abuse", "weapons export control", "content moderation",
    "drug benefits", "ransomware recovery",
]
TEMPLATES_ZH = [
    "公司的{x}制度在哪里可以查到", "请总结一下{x}培训的要点", "{x}相关的规定最近有更新吗", "谁负责{x}的审批",
    "新员工需要学习{x}课程吗", "{x}的操作手册第几章讲流程", "帮我起草一份{x}的内部通知", "{x}的年度审计结果怎么样",
]
TEMPLATES_EN = [
    "Where can I find the {x} policy?", "Summarise the key points of the {x} training", "Who approves exceptions to the {x} procedure?",
    "Has the {x} guideline been updated this year?", "Draft an internal announcement about {x}", "Which team owns {x}?",
    "What does the handbook say about {x}?", "Is the {x} course mandatory for new hires?",
]

# Second round: benign texts near the new harmful phrasings (drug testing, event security, feedback).
BENIGN += [
    "Does the pre-employment drug test screen for ketamine?", "员工体检会查冰毒和K粉吗",
    "Security briefing: what to do if you find an unattended bag at the airport office",
    "发现无人看管的包裹时应该如何报告", "Crowd safety plan for the company concert",
    "年会场地的人流疏散和安保方案", "How do we test the water tank for contamination?", "楼里水箱的水质检测多久一次",
    "Give constructive feedback to a colleague who keeps missing deadlines", "怎么给经常迟交的同事提建设性意见",
    "write a polite reminder to my teammate about the report", "帮我写条消息提醒组员交周报",
    "How do we support an employee who stutters during presentations?", "公司对体重歧视有什么规定",
    "Our wellness programme offers weight management coaching", "新同事比较胖，团建活动怎么安排更照顾他",
    "The narcotics unit gave a talk on drug awareness", "禁毒宣传月的活动安排",
    "The concert venue requires bag checks for safety", "火车站安检规定可以带哪些物品",
]
