"""A small hand-written library for related-work tests: three topics, four papers each.

Within a topic, papers share the problem; two papers in different topics share a method
(contrastive learning), so the learner views have something to find.
"""

from __future__ import annotations

from paperpath.records import PaperRecord

PAPERS: list[tuple[str, str, str]] = [
    # (arXiv id, title, abstract)
    ("2501.00001", "Denoising diffusion models for high-resolution image synthesis",
     "Generating realistic high-resolution images remains difficult for generative models. "
     "We propose a denoising diffusion model that learns to reverse a gradual noising process "
     "in pixel space with a U-Net. Our model reaches a state-of-the-art FID on ImageNet "
     "image synthesis."),
    ("2501.00002", "Latent diffusion for fast image generation",
     "Diffusion models produce high quality images but sampling them is slow and expensive. "
     "We run the diffusion process in the latent space of a pretrained autoencoder. "
     "Image generation becomes ten times faster with a similar FID on ImageNet."),
    ("2501.00003", "Adversarial training of generative image models",
     "Generating realistic images with generative models is an open problem. "
     "We train a generator against a discriminator in an adversarial game instead of a "
     "diffusion process. The generated images reach a competitive FID on ImageNet."),
    ("2501.00004", "Score matching for image generation with diffusion",
     "Image synthesis with generative models needs stable training objectives. "
     "We estimate the score of the noisy data distribution with denoising score matching "
     "and sample images with Langevin dynamics. Samples match diffusion models on CIFAR-10."),
    ("2501.00011", "Message passing graph neural networks for molecular property prediction",
     "Predicting the properties of molecules is central to drug discovery. "
     "We propose a message passing graph neural network over atoms and bonds. "
     "Our network improves property prediction accuracy on QM9 molecules."),
    ("2501.00012", "Graph attention networks for molecules",
     "Molecular property prediction needs models of atoms and their bonds. "
     "We use graph attention layers that weigh neighbouring atoms in the molecular graph. "
     "Attention improves prediction error on QM9 and other molecule benchmarks."),
    ("2501.00013", "Contrastive pretraining of molecular graph encoders",
     "Labelled molecules are scarce for property prediction in drug discovery. "
     "We pretrain a graph neural network encoder with contrastive learning between augmented "
     "views of each molecule. Pretraining improves molecular property prediction on QM9."),
    ("2501.00014", "Equivariant networks for molecular property prediction",
     "Molecular properties depend on the 3D geometry of the molecule. "
     "We propose an E(3)-equivariant graph neural network over atom coordinates. "
     "The model improves property prediction on QM9 molecules."),
    ("2501.00021", "Deep reinforcement learning for robotic grasping",
     "Robots struggle to grasp unseen objects reliably. "
     "We train a grasping policy with deep reinforcement learning from camera images in "
     "simulation. The robot grasps 90% of novel objects in real-world trials."),
    ("2501.00022", "Sim-to-real transfer of robot manipulation policies",
     "Policies for robot manipulation trained in simulation fail on real robots. "
     "We randomize simulator dynamics during reinforcement learning of the policy. "
     "The policy transfers to a real robot arm and completes manipulation tasks."),
    ("2501.00023", "Contrastive representation learning for robot control",
     "Learning robot control from pixels requires many samples. "
     "We learn visual representations with contrastive learning between augmented views of "
     "camera images, then train the control policy with reinforcement learning. "
     "Sample efficiency improves on robot manipulation tasks."),
    ("2501.00024", "Imitation learning for robot manipulation from demonstrations",
     "Teaching robots manipulation skills by reward design is hard. "
     "We learn a manipulation policy from human demonstrations by behavior cloning. "
     "The robot completes household manipulation tasks from few demonstrations."),
]

TOPIC = {pid: pid[-2] for pid, _, _ in PAPERS}  # "0" images, "1" molecules, "2" robots


def records() -> list[PaperRecord]:
    return [PaperRecord(title=t, abstract=a, arxiv_id=pid, authors=[f"Author {pid}"],
                        categories=["cs.LG"]) for pid, t, a in PAPERS]
